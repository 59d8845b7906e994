"""Images for modules: upload and list them („Bilder“), and serve them to people who are signed in."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from lms.authoring.uploads import delete_image, images_in_use, store_image
from lms.content.forms import ConfirmForm, ImageForm
from lms.content.media import ImageRejected
from lms.content.models import MediaFile
from lms.content.queries import media_files, user_names
from lms.content.views.blueprint import bp
from lms.content.views.manage import AUTHORS
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error


@bp.route("/inhalte/bilder", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def images() -> ResponseReturnValue:
    """Upload an image and copy the Markdown line that shows it in a module."""
    db = get_db()
    form = ImageForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            media = store_image(db, acting_user(), upload.filename or "bild", upload.read())
        except ImageRejected as rejected:
            error = translate_error(rejected)
        else:
            flash(_("Bild gespeichert. Fügen Sie die Zeile unten in den Markdown-Text ein."), "success")
            return redirect(url_for("content.images", neu=media.sha256))
    elif request.method == "POST":
        error = form.file.errors[0] if form.file.errors else _("Bitte wählen Sie ein Bild aus.")
    files = media_files(db)
    return render_template(
        "content/images.html",
        form=form,
        error=error,
        files=files,
        names=user_names(db, {f.uploaded_by_id for f in files}),
        highlighted=request.args.get("neu"),
        in_use=images_in_use(db),
        confirm=ConfirmForm(),
    ), (422 if error else 200)


@bp.post("/inhalte/bilder/<sha256>.<extension>/loeschen")
@roles_required(*AUTHORS)
def delete_image_view(sha256: str, extension: str) -> ResponseReturnValue:
    """Delete an image that no published version and no draft uses (e.g. uploaded by mistake)."""
    db = get_db()
    found = db.scalar(select(MediaFile).where(MediaFile.sha256 == sha256, MediaFile.extension == extension))
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = found.original_name
    try:
        delete_image(db, acting_user(), found)
    except ImageRejected as refused:
        flash(translate_error(refused), "warning")
    else:
        flash(_("Das Bild „%(name)s“ ist gelöscht.", name=name), "success")
    return redirect(url_for("content.images"))


@bp.get("/media/<sha256>.<extension>")
@login_required
def media(sha256: str, extension: str) -> ResponseReturnValue:
    """One uploaded image, with the type it was checked as; the content never changes, so browsers may keep it."""
    found = get_db().scalar(
        select(MediaFile).where(MediaFile.sha256 == sha256, MediaFile.extension == extension)
    )
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.media_type)
    response.headers["Content-Disposition"] = f'inline; filename="{found.sha256[:12]}.{found.extension}"'
    # Images are not personal data and their address is their hash: a private cache is safe and saves bandwidth.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
