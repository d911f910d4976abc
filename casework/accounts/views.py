"""Login, logout, first-run setup, own profile, and account administration."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from casework.accounts import services
from casework.accounts.forms import (
    CreateUserForm,
    EditUserForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SetupForm,
)
from casework.core.db import db
from casework.core.errors import StaleEdit, ValidationFailed
from casework.core.forms import apply_errors, safe_next
from casework.extensions import limiter
from casework.permissions import can_manage_accounts

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if services.user_count() == 0:
        # A fresh installation: the page answers, and points to first-run setup.
        return render_template("accounts/login.html", form=form, needs_setup=True)
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()  # the attempt is audited either way
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next"), url_for("core.dashboard")))
        form.form_errors.append("Wrong e-mail or password, or the account is deactivated.")
    return render_template("accounts/login.html", form=form, needs_setup=False)


@bp.post("/logout")
def logout():
    logout_user()
    db.session.commit()  # the logout is audited (casework.audit.views listens for it)
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


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
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            db.session.commit()
            login_user(user)
            flash("Casework is set up. Create the other accounts next.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/setup.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    profile_form = ProfileForm(prefix="profile", obj=current_user)
    password_form = PasswordForm(prefix="pw")
    if request.method == "GET":
        profile_form.version.data = current_user.version
    elif "profile-display_name" in request.form and profile_form.validate_on_submit():
        try:
            services.update_own_profile(
                current_user, profile_form.display_name.data, profile_form.version.data
            )
        except StaleEdit:
            flash("Your profile was changed elsewhere; here is the current version.", "warning")
            return redirect(url_for("accounts.profile"))
        except ValidationFailed as exc:
            apply_errors(profile_form, exc)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile"))
    elif "pw-current_password" in request.form and password_form.validate_on_submit():
        try:
            services.change_own_password(
                current_user, password_form.current_password.data, password_form.new_password.data
            )
        except ValidationFailed as exc:
            apply_errors(password_form, exc)
        else:
            db.session.commit()
            login_user(
                current_user._get_current_object()
            )  # keep this session; the others end with the old token
            flash("Password changed. Your other sessions were logged out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html", profile_form=profile_form, password_form=password_form
    )


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


@bp.route("/admin/users/new", methods=["GET", "POST"])
def create_user():
    _require_admin()
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                form.display_name.data,
                actor=current_user,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_new.html", form=form)


@bp.route("/admin/users/<public_id>", methods=["GET", "POST"])
def edit_user(public_id: str):
    _require_admin()
    user = _load_user(public_id)
    form = EditUserForm(obj=user)
    reset_form = ResetPasswordForm(prefix="reset")
    if request.method == "GET":
        form.active.data = user.is_active_account
        form.role.data = user.role.value
        form.version.data = user.version
    elif form.validate_on_submit():
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
                "Someone else changed this account while you were editing it. Nothing was "
                "saved: check the current values below and apply your change again.",
                "warning",
            )
            return render_template(
                "accounts/user_edit.html",
                user=user,
                form=EditUserForm(
                    obj=user, formdata=None, active=user.is_active_account, version=user.version
                ),
                reset_form=reset_form,
                submitted=form.data,
            ), 409
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash("Account updated.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_edit.html", user=user, form=form, reset_form=reset_form)


@bp.post("/admin/users/<public_id>/password")
def reset_password(public_id: str):
    _require_admin()
    user = _load_user(public_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        try:
            services.admin_reset_password(current_user, user, form.new_password.data)
        except ValidationFailed as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Password reset. Give it to the user through a safe channel.", "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("accounts.edit_user", public_id=public_id))
