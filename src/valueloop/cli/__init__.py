"""The ``valueloop`` command line: one command group per area, thin over the Python API.

User errors (:class:`~valueloop.core.errors.UserInputError`) print one line on stderr and exit
with status 2; nothing is half-written because every file is written atomically.
"""

from __future__ import annotations

import sys
from types import ModuleType

import typer
from rich.markup import escape

from valueloop.cli import (
    carbon_cmd,
    certify_cmd,
    claims_cmd,
    contract_cmd,
    cost_cmd,
    custody_cmd,
    invest_cmd,
    locate_cmd,
    log_cmd,
    materials_cmd,
    outlook_cmd,
    passport_cmd,
    scenario_cmd,
    scrap_cmd,
    sensitivity_cmd,
    study_cmd,
    trace_cmd,
)
from valueloop.cli.common import sources_command
from valueloop.cli.output import err_console
from valueloop.core.errors import UserInputError

app = typer.Typer(
    name="valueloop",
    help="Circular metals value chains, copper and cobalt first.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("sources")(sources_command)
app.add_typer(scenario_cmd.app, name="scenario")
app.add_typer(study_cmd.app, name="study")
app.add_typer(claims_cmd.app, name="claims")
app.add_typer(outlook_cmd.app, name="outlook")
app.add_typer(sensitivity_cmd.app, name="sensitivity")
app.add_typer(custody_cmd.app, name="custody")
app.add_typer(log_cmd.app, name="log")
app.add_typer(passport_cmd.app, name="passport")
app.command("models")(study_cmd.models_command)
app.command("cost")(cost_cmd.cost_command)
app.command("carbon")(carbon_cmd.carbon_command)
app.command("invest")(invest_cmd.invest_command)
app.command("locate")(locate_cmd.locate_command)
app.add_typer(scrap_cmd.app, name="scrap")
app.add_typer(certify_cmd.app, name="certify")
app.add_typer(contract_cmd.app, name="contract")
app.add_typer(trace_cmd.app, name="trace")
app.add_typer(materials_cmd.app, name="materials")


def _click_exceptions() -> ModuleType:
    """The exceptions module of the click that typer runs on (recent typer vendors its own)."""
    try:
        from typer._click import exceptions
    except ImportError:  # typer releases that depend on the click package
        from click import exceptions
    return exceptions


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit status (used by ``main`` and the tests)."""
    command = typer.main.get_command(app)
    click_errors = _click_exceptions()
    try:
        status = command.main(args=argv, prog_name="valueloop", standalone_mode=False)
    except UserInputError as exc:
        err_console.print(f"[bold red]error:[/bold red] {escape(exc.render())}",
                          soft_wrap=True)
        return exc.exit_status
    except typer.Exit as exc:
        return exc.exit_code
    except click_errors.ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 1
    # Without standalone mode click returns a command's typer.Exit status instead of raising it.
    return status if isinstance(status, int) else 0


def main() -> None:
    sys.exit(run())
