"""Login (password, then code), logout, second-factor enrolment and recovery, first-run setup,
own profile, password resets, and account administration."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from casework.accounts import second_factor_reset, services, sessions, totp
from casework.accounts.forms import (
    CodeForm,
    ConfirmForm,
    CreateUserForm,
    EditUserForm,
    EnrolForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    ReauthForm,
    RedeemResetForm,
    SecondFactorResetForm,
    SetupForm,
)
from casework.accounts.recent_auth import require_recent_auth
from casework.accounts.services import Throttled
from casework.accounts.throttle import init_app as init_throttle
from casework.core.conflicts import prepare_conflict
from casework.core.db import db
from casework.core.errors import PermissionDenied, StaleEdit, ValidationFailed
from casework.core.formflow import perform
from casework.core.forms import apply_errors, safe_next
from casework.core.i18n import LANGUAGE_COOKIE, N_
from casework.core.i18n import gettext as _
from casework.extensions import limiter
from casework.permissions import (
    can_approve_second_factor_resets,
    can_manage_accounts,
    grants_every_case,
    role_sees_every_case,
)

bp = Blueprint("accounts", __name__)

_TOO_MANY = N_("Too many attempts. Wait a minute and try again.")


def init_app(app: Flask) -> None:
    init_throttle(app)

    @app.context_processor
    def notices():
        def account_notices():
            if not (current_user.is_authenticated and current_user.has_second_factor):
                return []
            if not current_user.has_unread_notices:  # asked with the session
                return []
            try:
                return services.unread_notices(current_user)
            except SQLAlchemyError:
                return []  # an error page must render even when the database does not answer

        return {"account_notices": account_notices}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _throttled():
    """The refusal once an account is throttled; what was attempted stays audited."""
    sessions.end_current()
    db.session.commit()
    return render_template("errors/error.html", code=429, message=_(_TOO_MANY)), 429


def _after_login():
    return redirect(safe_next(request.args.get("next"), url_for("core.dashboard")))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    language_form = LanguageForm(language=get_locale().language)
    if services.user_count() == 0:
        # A fresh installation: the page answers, and points to first-run setup.
        return render_template(
            "accounts/login.html", form=form, language_form=language_form, needs_setup=True
        )
    if form.validate_on_submit():
        try:
            step = services.check_password(form.email.data, form.password.data)
        except Throttled:
            return _throttled()
        if step is None:
            db.session.commit()  # the failure is audited
            form.form_errors.append(_("Wrong e-mail or password, or the account is deactivated."))
        else:
            services.start_password_only_session(step.user)
            db.session.commit()
            if step.needs_enrolment:
                return redirect(url_for("accounts.enrol"))
            return redirect(url_for("accounts.login_code", next=request.args.get("next")))
    return render_template(
        "accounts/login.html", form=form, language_form=language_form, needs_setup=False
    )


@bp.post("/language")
def choose_language():
    """The language chosen before logging in: a cookie holding its code, nothing else."""
    form = LanguageForm()
    target = safe_next(request.form.get("next"), url_for("accounts.login"))
    response = redirect(target)
    if form.validate_on_submit():
        response.set_cookie(
            LANGUAGE_COOKIE,
            form.language.data,
            max_age=365 * 24 * 3600,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """Second step: reached only with a session whose password was right."""
    row = sessions.current()
    if row is None or row.second_factor_done:
        return redirect(url_for("accounts.login"))
    user = row.user
    if not user.has_second_factor:
        return redirect(url_for("accounts.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            ok = services.check_second_factor(user, form.code.data, form.recovery_code.data)
        except Throttled:
            return _throttled()
        if ok:
            services.complete_login(user)
            left = services.recovery_codes_left(user)
            db.session.commit()
            if form.recovery_code.data and left <= 3:
                flash(
                    _(
                        "Only %(n)s recovery codes left: make new ones on your two-factor page.",
                        n=left,
                    ),
                    "warning",
                )
            return _after_login()
        db.session.commit()
        form.form_errors.append(_("This code is not right, or was used already."))
    return render_template("accounts/login_code.html", form=form)


@bp.post("/logout")
def logout():
    services.logout(current_user)
    db.session.commit()  # the session's end and the audited logout together
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
def enrol():
    """Set up the authenticator app: the only page a user without a second factor reaches."""
    if current_user.has_second_factor:
        return redirect(url_for("accounts.two_factor"))
    secret = services.pending_totp_secret(current_user)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_enrolment(current_user, sessions.current(), form.code.data)
        except ValidationFailed as exc:
            db.session.commit()  # the failed attempt is audited
            apply_errors(form, exc)
        else:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, first=True)
    db.session.commit()
    uri = totp.provisioning_uri(current_user, current_app.config["ORGANISATION_NAME"])
    return render_template(
        "accounts/enrol.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=Markup(totp.qr_svg(uri)),  # noqa: S704  # nosec B704 (SVG drawn by segno from our own URI)
    )


@bp.get("/account/two-factor")
def two_factor():
    return render_template(
        "accounts/two_factor.html",
        left=services.recovery_codes_left(current_user),
        form=ConfirmForm(),
    )


@bp.post("/account/two-factor/recovery-codes")
@require_recent_auth
def renew_recovery_codes():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    codes = services.regenerate_recovery_codes(current_user)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes, first=False)


@bp.post("/account/two-factor/replace")
@require_recent_auth
def replace_second_factor():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.replace_second_factor(current_user, sessions.current())
    db.session.commit()
    return redirect(url_for("accounts.enrol"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reauthenticate():
    """Password and code again, before a sensitive action."""
    form = ReauthForm()
    if form.validate_on_submit():
        try:
            ok = services.reauthenticate(
                current_user, sessions.current(), form.password.data, form.code.data
            )
        except Throttled:
            return _throttled()
        db.session.commit()
        if ok:
            return redirect(safe_next(request.args.get("next"), url_for("accounts.profile")))
        form.form_errors.append(_("The password or the code is not right."))
    return render_template("accounts/reauth.html", form=form)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first administrator; refused as soon as any account exists."""
    if services.user_count() > 0:
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = services.setup_first_admin(
                form.email.data, form.password.data, form.display_name.data
            )
            services.start_password_only_session(user)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except (PermissionDenied, IntegrityError, OperationalError):
            # Another setup won the race (the single-row setup_marker table decides).
            db.session.rollback()
            abort(404)
        else:
            flash(_("Casework is set up. Set up your second factor now."), "success")
            return redirect(url_for("accounts.enrol"))
    return render_template("accounts/setup.html", form=form)


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def password_reset():
    """A user sets a new password with the one-time code an administrator gave them."""
    form = RedeemResetForm()
    if form.validate_on_submit():
        try:
            services.redeem_password_reset(form.code.data, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            sessions.end_current()
            db.session.commit()
            flash(_("Your password is set. Log in with it and your authenticator code."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset.html", form=form)


@bp.post("/notices/dismiss")
def dismiss_notices():
    return perform(
        lambda: services.dismiss_notices(current_user),
        success=_("Notices dismissed."),
        then=safe_next(request.form.get("next"), url_for("core.dashboard")),
        form=ConfirmForm(),
    )


@bp.route("/profile", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])  # its password form checks a password
def profile():
    profile_form = ProfileForm(prefix="profile", obj=current_user)
    password_form = PasswordForm(prefix="pw")
    saved, status = None, 200
    if request.method == "GET":
        profile_form.version.data = current_user.version
        profile_form.language.data = current_user.language or ""
    elif "profile-display_name" in request.form and profile_form.validate_on_submit():
        try:
            services.update_own_profile(
                current_user,
                profile_form.display_name.data,
                profile_form.version.data,
                profile_form.language.data,
            )
        except StaleEdit:
            # The input stays in the form, on the saved version; the saved profile beside it.
            db.session.rollback()
            saved, status = prepare_conflict(profile_form, current_user), 409
        except ValidationFailed as exc:
            apply_errors(profile_form, exc)
        else:
            db.session.commit()
            flash(_("Profile saved."), "success")
            return redirect(url_for("accounts.profile"))
    elif "pw-current_password" in request.form and password_form.validate_on_submit():
        try:
            services.change_own_password(
                current_user, password_form.current_password.data, password_form.new_password.data
            )
        except Throttled:
            db.session.commit()  # the refusal's audit entry
            return _throttled()
        except ValidationFailed as exc:
            db.session.commit()  # the failure's audit entry (nothing else was changed)
            apply_errors(password_form, exc)
        else:
            db.session.commit()
            flash(_("Password changed. Your other sessions were logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        profile_form=profile_form,
        password_form=password_form,
        session_count=services.session_count(current_user),
        sessions_form=ConfirmForm(),
        saved=saved,
    ), status


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    return perform(
        lambda: services.end_other_sessions(current_user, sessions.current()),
        success=lambda n: _("Logged out of %(n)s other session(s).", n=n),
        then=url_for("accounts.profile"),
        form=ConfirmForm(),
    )


# --- second-factor resets (a coordinator and an admin together) ------------------------------


def _require_reset_approver() -> None:
    if not can_approve_second_factor_resets(current_user):
        abort(403)


def _reset_form() -> SecondFactorResetForm:
    form = SecondFactorResetForm()
    form.user.choices = [
        (u.public_id, f"{u.display_name} ({u.email})")
        for u in services.list_users()
        if u.is_active_account and u.has_second_factor and u.id != current_user.id
    ]
    return form


@bp.route("/second-factor-resets", methods=["GET", "POST"])
@require_recent_auth
def second_factor_resets():
    _require_reset_approver()
    form = _reset_form()
    if form.validate_on_submit():
        target = services.get_by_public_id(form.user.data)
        if target is None:
            abort(404)
        try:
            request_row = second_factor_reset.approve(current_user, target)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            if request_row.completed_at is not None:
                flash(
                    _("Second factor removed. The user sets up a new one at their next login."),
                    "success",
                )
            else:
                flash(_("Your approval is recorded. The other role must approve too."), "info")
            return redirect(url_for("accounts.second_factor_resets"))
    return render_template(
        "accounts/second_factor_resets.html",
        form=form,
        requests=second_factor_reset.open_requests(),
        cancel_form=ConfirmForm(),
    )


@bp.post("/second-factor-resets/<public_id>/cancel")
@require_recent_auth
def cancel_second_factor_reset(public_id: str):
    _require_reset_approver()
    request_row = second_factor_reset.get_open(public_id)
    if request_row is None:
        abort(404)
    return perform(
        lambda: second_factor_reset.cancel(current_user, request_row),
        success=_("Request cancelled."),
        then=url_for("accounts.second_factor_resets"),
        form=ConfirmForm(),
    )


# --- administration --------------------------------------------------------------------------


def _require_admin() -> None:
    if not can_manage_accounts(current_user):
        abort(403)


def _load_user(public_id: str):
    user = services.get_by_public_id(public_id)
    if user is None:
        abort(404)
    return user


@bp.get("/admin/users")
def users():
    _require_admin()
    return render_template("accounts/users.html", users=services.list_users())


def _show_reset_code(user, code: str, created: bool):
    return render_template("accounts/reset_code.html", user=user, code=code, created=created)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require_recent_auth
def create_user():
    _require_admin()
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data, None, form.role.data, form.display_name.data, actor=current_user
            )
            code = services.issue_password_reset(current_user, user)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            if role_sees_every_case(user.role):
                flash(
                    _("Coordinator role granted: the other coordinators were notified."), "warning"
                )
            return _show_reset_code(user, code, created=True)
    return render_template("accounts/user_new.html", form=form)


@bp.route("/admin/users/<public_id>", methods=["GET", "POST"])
@require_recent_auth
def edit_user(public_id: str):
    _require_admin()
    user = _load_user(public_id)
    form = EditUserForm(obj=user)
    if request.method == "GET":
        form.active.data = user.is_active_account
        form.role.data = user.role.value
        form.version.data = user.version
    elif form.validate_on_submit():
        old_role, was_active = user.role, user.is_active_account
        try:
            services.admin_update_user(
                current_user,
                user,
                role=form.role.data,
                display_name=form.display_name.data,
                active=form.active.data,
                expected_version=form.version.data,
            )
        except StaleEdit:
            db.session.rollback()
            flash(
                _(
                    "Someone else changed this account while you were editing it. Nothing was "
                    "saved: check the current values below and apply your change again."
                ),
                "warning",
            )
            return render_template(
                "accounts/user_edit.html",
                user=user,
                form=EditUserForm(
                    obj=user, formdata=None, active=user.is_active_account, version=user.version
                ),
                reset_form=ConfirmForm(),
                submitted=form.data,
            ), 409
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            db.session.commit()
            if was_active and not user.is_active_account:
                flash(
                    _(
                        "%(name)s is deactivated: they can no longer sign in, their sessions "
                        "ended and their API tokens were revoked.",
                        name=user.display_name,
                    ),
                    "success",
                )
            elif user.is_active_account and not was_active:
                flash(
                    _(
                        "%(name)s is active again: they sign in with their password and second "
                        "factor. Their former API tokens stay revoked.",
                        name=user.display_name,
                    ),
                    "success",
                )
            else:
                flash(_("Account updated."), "success")
            if grants_every_case(old_role, user.role):
                flash(
                    _("Coordinator role granted: the other coordinators were notified."), "warning"
                )
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_edit.html", user=user, form=form, reset_form=ConfirmForm()
    )


@bp.post("/admin/users/<public_id>/password")
@require_recent_auth
def reset_password(public_id: str):
    """A one-time code for the user to set a new password; the admin never sets it."""
    _require_admin()
    user = _load_user(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = services.issue_password_reset(current_user, user)
    db.session.commit()
    return _show_reset_code(user, code, created=False)
