"""`flask lms export PATH`: write the platform's current content back as a course package."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.courses.authoring.export import ExportError, choose_package, export_package


@click.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--package", "slug", default=None,
              help="The package's id, when more than one is loaded.")
@with_appcontext
def export_command(path: Path, slug: str | None) -> None:
    """Write the current content (published versions only) as a package folder at PATH."""
    try:
        package = choose_package(slug)
        summary = export_package(package, path, Path(current_app.config["STORAGE_DIR"]))
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Exported {summary.package} to {path}: {summary.modules} modules, "
               f"{summary.topics} topics, {summary.lessons} lessons, {summary.quizzes} "
               f"quizzes, {summary.media} media files.")
