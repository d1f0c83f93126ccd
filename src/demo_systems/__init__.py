"""The demo county's department systems: separate HTTP services in their vendors' own styles.

They stand in for systems yiwang does not own. They share no code with yiwang on purpose: the
platform reaches them only over HTTP, through its connectors, exactly as it would in production.
"""
