"""`python -m tfscope_lint` and the console script: Ctrl-C handling first, then the command line."""

from tfscope_lint.interrupt import install


def main() -> None:
    install()  # before the imports below, which take most of a second
    from tfscope_lint.cli import entry

    entry()


if __name__ == "__main__":
    main()
