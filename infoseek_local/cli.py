"""The `infoseek-local` command line: a click group whose commands live in `infoseek_local/commands/`.

Commands are imported only when run (so `--help` stays instant), and every InfoseekError becomes a one-line
message and exit code 1 here, in one place.
"""

from __future__ import annotations

import importlib
import sys

import click

from . import __version__
from .errors import InfoseekError, os_error_message

# command name -> "module:attribute"; each module keeps heavy imports inside its function body
COMMANDS: dict[str, str] = {
    "doctor": "infoseek_local.commands.doctor_cmd:doctor_command",
    "index": "infoseek_local.commands.index_cmd:index_command",
    "info": "infoseek_local.commands.info_cmd:info_command",
    "search": "infoseek_local.commands.search_cmd:search_command",
    "synth": "infoseek_local.commands.synth_cmd:synth_command",
    "show": "infoseek_local.commands.synth_cmd:show_command",
    "stats": "infoseek_local.commands.synth_cmd:stats_command",
    "page": "infoseek_local.commands.search_cmd:page_command",
    "sample": "infoseek_local.commands.sample_cmd:sample_command",
    "verify": "infoseek_local.commands.verify_cmd:verify_command",
    "export": "infoseek_local.commands.export_cmd:export_command",
    "serve": "infoseek_local.commands.serve_cmd:serve_command",
    "report": "infoseek_local.commands.report_cmd:report_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="infoseek-local")
def cli() -> None:
    """Offline InfoSeek: deep-research questions and trajectories from a local web dump."""


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="infoseek-local", standalone_mode=False)
    except InfoseekError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: finished shards are kept; rerun the same command to resume", err=True)
        sys.exit(130)
    except OSError as exc:  # disk full, read-only or unwritable output: a one-line error, not a traceback
        click.echo(f"error: {os_error_message(exc)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
