"""`python -m bot` runs the briefbot command line."""
from bot.cli.main import main

raise SystemExit(main())
