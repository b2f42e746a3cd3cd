"""``python -m mesaides.core.cli_main``: the command line without the console script."""

from mesaides.core.cli import main

if __name__ == "__main__":
    main()
