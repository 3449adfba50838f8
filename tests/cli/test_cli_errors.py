"""Bad input: exit status 2, one line on stderr naming the file or option, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from valueloop.cli import run

DATA = Path(__file__).parents[1] / "data" / "cli"
SHIPPED = "valueloop:cobalt-cn-2024-ch1"


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str, *needles: str) -> str:
    """``err`` is one ``error: ...`` line (blank lines aside) that mentions every needle."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    (line,) = lines
    assert line.startswith("error: "), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


# Each case: argv (DATA/... files as Path), then the strings the error line must contain.
CASES: dict[str, tuple[tuple[str | Path, ...], tuple[str, ...]]] = {
    "unknown parameter": (
        ("scenario", "check", DATA / "unknown_parameter.toml"),
        ("UnknownParameterError", "unknown_parameter.toml:7", "cobalt.hydroxide.capacity_2099",
         "capacity_2024")),
    "wrong dimension": (
        ("scenario", "check", DATA / "wrong_dimension.toml"),
        ("DimensionError", "wrong_dimension.toml:7", "cobalt.hydroxide.capacity_2024",
         "wan_CNY / t")),
    "out of bounds": (
        ("scenario", "check", DATA / "out_of_bounds.toml"),
        ("OutOfBoundsError", "out_of_bounds.toml:7", "cobalt.hydroxide.co_content", "[0, 1]")),
    "missing source": (
        ("scenario", "check", DATA / "missing_source.toml"),
        ("MissingSourceError", "missing_source.toml:7", "cobalt.hydroxide.co_content")),
    "malformed TOML": (
        ("scenario", "check", DATA / "malformed.toml"),
        ("MalformedFileError", "malformed.toml:9:", "TOML")),
    "malformed TOML in study run": (
        ("study", "run", DATA / "malformed.toml", "-n", "10", "-q"),
        ("MalformedFileError", "malformed.toml:9:")),
    "unknown override": (
        ("scenario", "check", SHIPPED, "--override", "no-such-override"),
        ("cobalt-cn-2024-ch1.toml", "no-such-override", "low-price")),
    "unknown override in study run": (
        ("study", "run", SHIPPED, "-o", "no-such-override", "-n", "10", "-q"),
        ("no-such-override", "low-price")),
    "unknown shipped scenario": (
        ("scenario", "show", "valueloop:no-such-scenario"),
        ("no-such-scenario", "cobalt-cn-2024-ch1")),
    "scenario file that does not exist": (
        ("scenario", "check", DATA / "no-such-file.toml"),
        ("no-such-file.toml",)),
    "unknown sampling method": (
        ("study", "run", SHIPPED, "-n", "10", "--method", "quasi", "-q"),
        ("--method", "quasi", "mc, lhs, sobol")),
    "unknown sampling method in outlook": (
        ("outlook", "cobalt", "--out", "{tmp}/out", "-n", "10", "--method", "quasi", "-q"),
        ("--method", "quasi")),
    "bad --at label": (
        ("sensitivity", "tornado", SHIPPED, "--output", "imports_growth", "--at", "2030"),
        ("--at", "2030", "2024")),
    "missing --at for an output with axes": (
        ("sensitivity", "morris", SHIPPED, "--output", "imports_growth", "-r", "4", "--json"),
        ("--at", "imports_growth")),
    "--at for an output without axes": (
        ("sensitivity", "tornado", SHIPPED, "--output", "cash_margin", "--at", "2024"),
        ("--at", "cash_margin")),
    "unknown output": (
        ("sensitivity", "sobol", SHIPPED, "--output", "no_such_output", "-n", "64", "--json"),
        ("--output", "no_such_output", "cash_margin")),
    "bad tornado quantiles": (
        ("sensitivity", "tornado", SHIPPED, "--output", "cash_margin", "--low", "0.9",
         "--high", "0.1"),
        ("--low/--high",)),
    "claims formula with an unknown parameter": (
        ("claims", "check", DATA / "unknown_name_claims.toml"),
        ("ClaimError", "unknown_name_claims.toml", "utilisation-typo",
         "cobalt.hydroxide.capacity_2042")),
    "negative --samples in study run": (
        ("study", "run", SHIPPED, "--samples", "-5", "-q"),
        ("samples", "-5")),
    "negative --samples in outlook": (
        ("outlook", "cobalt", "--out", "{tmp}/out", "-n", "-5", "-q"),
        ("samples", "-5")),
    "negative --samples in sobol": (
        ("sensitivity", "sobol", SHIPPED, "--output", "cash_margin", "-n", "-5", "--json"),
        ("samples", "-5")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          case: str) -> None:
    argv, needles = CASES[case]
    argv = tuple(str(a).replace("{tmp}", str(tmp_path)) for a in argv)
    status, out, err = invoke(capsys, *argv)
    assert status == 2, f"exit {status}\nstdout:\n{out}\nstderr:\n{err}"
    assert_one_line_error(err, *needles)
    assert not list(tmp_path.iterdir()), "a failed command wrote files"


def test_error_inside_the_progress_bar_is_exactly_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without -q the progress bar is running when the error is raised; stderr still has one
    line and no blank line before it."""
    status, _, err = invoke(capsys, "study", "run", SHIPPED, "-n", "10", "--method", "quasi")
    assert status == 2
    assert_one_line_error(err, "--method")
    assert err.count("\n") == 1 and err.startswith("error: "), repr(err)


def test_output_label_without_a_value_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    """imports_growth has no value for 2020 (no earlier year): a user error, not a traceback."""
    try:
        status, out, err = invoke(capsys, "sensitivity", "sobol", SHIPPED, "--output",
                                  "imports_growth", "--at", "2020", "-n", "64", "--json")
    except Exception as exc:  # an error escaping run() is the failure being tested
        pytest.fail(f"run() raised {type(exc).__module__}.{type(exc).__name__}: {exc}")
    assert status == 2, f"exit {status}\nstdout:\n{out}\nstderr:\n{err}"
    assert_one_line_error(err, "2020")


# --- usage errors caught by the command-line parser --------------------------------------------


@pytest.mark.parametrize("argv", [
    ("study", "run", SHIPPED, "--no-such-option"),
    ("study", "run"),
    ("study", "run", SHIPPED, "-n", "many"),
    ("no-such-command",),
], ids=["unknown option", "missing argument", "non-integer samples", "unknown command"])
def test_usage_errors_exit_2_without_traceback(capsys: pytest.CaptureFixture[str],
                                               argv: tuple[str, ...]) -> None:
    try:
        status, out, err = invoke(capsys, *argv)
    except Exception as exc:  # a parser exception escaping run() is the failure being tested
        pytest.fail(f"run() raised {type(exc).__module__}.{type(exc).__name__}: {exc}")
    assert status == 2, f"exit {status}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    assert err.strip()


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status, out, err = invoke(capsys)
    except Exception as exc:  # a parser exception escaping run() is the failure being tested
        pytest.fail(f"run() raised {type(exc).__module__}.{type(exc).__name__}: {exc}")
    assert status in (0, 2)
    assert "Traceback" not in err
    assert "Usage" in out + err and "scenario" in out + err


# --- as real processes -------------------------------------------------------------------------


def run_process(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "valueloop", *map(str, argv)], cwd=cwd,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


@pytest.mark.parametrize("case", ["malformed TOML", "unknown override",
                                  "unknown sampling method", "claims formula with an unknown "
                                  "parameter"])
def test_bad_input_in_a_real_process(tmp_path: Path, case: str) -> None:
    argv, needles = CASES[case]
    result = run_process(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert_one_line_error(result.stderr, *needles)


def test_usage_error_in_a_real_process(tmp_path: Path) -> None:
    result = run_process("study", "run", SHIPPED, "--no-such-option", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert "--no-such-option" in result.stderr


def test_fail_on_disagreement_in_a_real_process(tmp_path: Path) -> None:
    from valueloop.reports.cobalt_outlook import shipped_claims_path

    result = run_process("claims", "check", shipped_claims_path("cobalt-ch1.toml"),
                         "--fail-on-disagreement", "--json", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, "a disagreeing claim must make the check fail"


# --- nothing half-written ----------------------------------------------------------------------


BAD_OUTLOOK_SCENARIOS: dict[str, tuple[str, str]] = {
    "malformed TOML": (str(DATA / "malformed.toml"), "malformed.toml:9:"),
    "unknown parameter": (str(DATA / "unknown_parameter.toml"), "unknown_parameter.toml"),
    "out of bounds": (str(DATA / "out_of_bounds.toml"), "out_of_bounds.toml"),
    "scenario of another model": ("valueloop:ishigami", "ishigami"),
}


@pytest.mark.parametrize("case", list(BAD_OUTLOOK_SCENARIOS))
def test_failed_outlook_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       case: str) -> None:
    scenario, needle = BAD_OUTLOOK_SCENARIOS[case]
    folder = tmp_path / "results" / "cobalt"
    status, _, err = invoke(capsys, "outlook", "cobalt", "--scenario", scenario,
                            "--out", folder, "-n", "100", "-q")
    assert status == 2
    assert_one_line_error(err, needle)
    assert not folder.exists() or not any(folder.iterdir())
    assert not list(tmp_path.rglob("*.tmp"))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_failed_outlook_leaves_an_existing_folder_alone(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    status, _, err = invoke(capsys, "outlook", "cobalt", "--scenario", DATA / "malformed.toml",
                            "--out", folder, "-n", "100", "-q")
    assert status == 2
    assert_one_line_error(err, "malformed.toml:9:")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not list(tmp_path.rglob("*.tmp"))


def exported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    path = tmp_path / "good.xlsx"
    assert run(["scenario", "export", SHIPPED, "--xlsx", str(path)]) == 0
    capsys.readouterr()
    return path


def not_a_zip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(b"this is not a workbook\n")
    return path


def truncated(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(exported(capsys, tmp_path).read_bytes()[:1500])
    return path


def text_in_a_number_cell(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    workbook = openpyxl.load_workbook(exported(capsys, tmp_path))
    workbook["parameters"]["B2"] = "twelve"
    path = tmp_path / "text-cell.xlsx"
    workbook.save(path)
    return path


def value_out_of_bounds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    workbook = openpyxl.load_workbook(exported(capsys, tmp_path))
    workbook["parameters"]["B2"] = -5
    path = tmp_path / "out-of-bounds.xlsx"
    workbook.save(path)
    return path


def sheet_missing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    workbook = openpyxl.load_workbook(exported(capsys, tmp_path))
    del workbook["parameters"]
    path = tmp_path / "no-parameters.xlsx"
    workbook.save(path)
    return path


CORRUPT_WORKBOOKS = {
    "not a zip": (not_a_zip, "corrupt.xlsx"),
    "truncated": (truncated, "truncated.xlsx"),
    "text in a number cell": (text_in_a_number_cell, "parameters"),
    "value out of bounds": (value_out_of_bounds, "out-of-bounds.xlsx"),
    "sheet missing": (sheet_missing, "parameters"),
}


@pytest.mark.parametrize("existing", [False, True], ids=["new target", "existing target"])
@pytest.mark.parametrize("case", list(CORRUPT_WORKBOOKS))
def test_failed_import_leaves_the_target_alone(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path, case: str,
                                               existing: bool) -> None:
    make, needle = CORRUPT_WORKBOOKS[case]
    workbook = make(capsys, tmp_path)
    target = tmp_path / "target" / "scenario.toml"
    if existing:
        target.parent.mkdir()
        target.write_text("# the old content\n", encoding="utf-8")
    status, _, err = invoke(capsys, "scenario", "import", workbook, "--toml", target)
    assert status == 2
    assert_one_line_error(err, workbook.name, needle)
    if existing:
        assert target.read_text(encoding="utf-8") == "# the old content\n"
    else:
        assert not target.exists()
    assert not list(tmp_path.rglob("*.tmp"))
