"""12345 接诉即办: tickets from the hotline, routed to the department that answers them."""
