"""Helpers shared by every feature's forms."""

from casework.errors import NotFound, ValidationError


def apply_errors(form, exc: ValidationError | NotFound) -> None:
    """Show a service's validation messages against the form fields they belong to."""
    errors = exc.errors if isinstance(exc, ValidationError) else {"": "That record no longer exists"}
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)
