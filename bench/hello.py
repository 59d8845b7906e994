"""The yardstick of bench/load.py: a bare Flask "Hello, World!", served by gunicorn with the platform's settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The smallest page Flask can serve."""
    return "Hello, World!"
