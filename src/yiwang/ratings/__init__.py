"""好差评: ratings of applications, and the rectification a bad rating opens."""
