"""The `belvo-check` entry point (also `python -m belvo_check`).

Stop signals are handled before anything else is imported: a Ctrl-C during start-up ends with
exit 130 and one line, like one at any later moment, not with a traceback from an import.
"""

from belvo_check.signals import exit_now, on_stop_signals


def main() -> None:
    on_stop_signals(exit_now)
    from belvo_check.cli import main as run_command

    run_command()


if __name__ == "__main__":
    main()
