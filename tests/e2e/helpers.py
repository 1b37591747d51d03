"""What the browser tests share besides fixtures."""

# The demo administrator's password in the server the browser tests start.
PASSWORD = "e2e-demo-password-7"
