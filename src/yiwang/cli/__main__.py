"""python -m yiwang.cli"""

from yiwang.cli import app

app()
