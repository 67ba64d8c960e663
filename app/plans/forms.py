"""Forms for a case's support plan: making it from the assessment, an action, the goals, a
review, and the plan for reducing support. The services check every value again."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import GovDateField, Length, SentOnce, posted_int
from casework.plans.actions import MAX_DESCRIPTION, MAX_REASON
from casework.plans.models import ACTION_OWNERS, ACTION_STATUSES
from casework.plans.plan import MAX_GOALS
from casework.plans.resilience import MAX_PLAN, MAX_VOLUNTEER
from casework.plans.reviews import MAX_WORDS


def loaded_version(field) -> int | None:
    """The version sent back with a form, or None when absent or not a version."""
    return posted_int(field.data)


def _goals_field():
    return TextAreaField(
        "The person’s goals, in their own words",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter the person's goals"),
            Length(max=MAX_GOALS, message=f"The goals must be {MAX_GOALS:,} characters or fewer"),
        ],
    )


class ActionForm(FlaskForm):
    """An action of the plan: what, who owns it, when it is due, and where it stands."""

    max_description = MAX_DESCRIPTION
    description = TextAreaField(
        "What will be done",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter a description"),
            Length(
                max=MAX_DESCRIPTION,
                message=f"The description must be {MAX_DESCRIPTION} characters or fewer",
            ),
        ],
    )
    owner_kind = RadioField(
        "Who owns it?",
        choices=list(ACTION_OWNERS.items()),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select who owns the action")],
    )
    colleague = SelectField(
        "Colleague (when a colleague owns it)",
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional()],
    )
    partner = SelectField(
        "Partner agency (when a partner agency owns it)",
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional()],
    )
    due_on = GovDateField(
        "Due date", validators=[InputRequired(message="Enter the date the action is due")]
    )
    status = RadioField(
        "Status",
        choices=list(ACTION_STATUSES.items()),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select the action's status")],
    )
    status_reason = TextAreaField(
        "Why is it no longer needed?",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer")
        ],
    )
    version = HiddenField()
    submit = SubmitField("Save action", widget=GovSubmitInput())


class NewActionForm(SentOnce, ActionForm):
    """An action being added: sent twice, it adds one."""


class GoalsForm(FlaskForm):
    """The person's goals in their own words."""

    max_goals = MAX_GOALS
    goals = _goals_field()
    version = HiddenField()
    submit = SubmitField("Save goals", widget=GovSubmitInput())


class CreatePlanForm(FlaskForm):
    """Making the plan: the goals; each proposed action's fields are added per assessment by
    ``creation_form``."""

    max_goals = MAX_GOALS
    goals = _goals_field()
    # The assessment the proposals came from: a newer one completed meanwhile is refused.
    assessment = HiddenField()
    submit = SubmitField("Create the support plan", widget=GovSubmitInput())


def creation_form(proposals):
    """A CreatePlanForm with, for each proposed action, whether to keep it, its description and
    its due date (``a0_keep``, ``a0_description``, ``a0_due_on`` ...)."""

    class PlanForm(CreatePlanForm):
        pass

    for n, proposal in enumerate(proposals):
        setattr(
            PlanForm,
            f"a{n}_keep",
            BooleanField(f"Include this action ({proposal.label})", widget=GovCheckboxInput()),
        )
        setattr(
            PlanForm,
            f"a{n}_description",
            TextAreaField(
                "What will be done",
                widget=GovTextArea(),
                validators=[Length(max=MAX_DESCRIPTION, message="Keep it to 500 characters")],
            ),
        )
        setattr(PlanForm, f"a{n}_due_on", GovDateField("Due date", validators=[Optional()]))
    return PlanForm()


class ReviewForm(FlaskForm):
    """A review of the plan; each open action's status and progress are added per plan by
    ``review_form``."""

    held_on = GovDateField(
        "Date the review was held",
        validators=[InputRequired(message="Enter the date the review was held")],
    )
    notes = TextAreaField(
        "How is the plan going? (optional)",
        widget=GovTextArea(),
        validators=[Length(max=MAX_WORDS, message="Keep it to 5,000 characters")],
    )
    new_need = TextAreaField(
        "Any new need, in words (optional)",
        widget=GovTextArea(),
        validators=[Length(max=MAX_WORDS, message="Keep it to 5,000 characters")],
    )
    prompts_reassessment = RadioField(
        "Does this review prompt a reassessment?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether the review prompts a reassessment")],
    )
    version = HiddenField()
    submit = SubmitField("Record the review", widget=GovSubmitInput())


def review_form(actions):
    """A ReviewForm with each open action's status now and progress in words
    (``status_<id>``, ``progress_<id>``)."""

    class PlanReviewForm(ReviewForm):
        pass

    for action in actions:
        setattr(
            PlanReviewForm,
            f"status_{action.id}",
            RadioField(
                "Status now",
                choices=list(ACTION_STATUSES.items()),
                widget=GovRadioInput(),
                validate_choice=False,
                validators=[InputRequired(message="Select the action's status now")],
            ),
        )
        setattr(
            PlanReviewForm,
            f"progress_{action.id}",
            TextAreaField(
                "Progress (needed when it is no longer needed: say why)",
                widget=GovTextArea(),
                validators=[Length(max=MAX_WORDS, message="Keep it to 5,000 characters")],
            ),
        )
    return PlanReviewForm()


class ResilienceForm(FlaskForm):
    """The plan for reducing support, and whether and how a volunteer is part of it."""

    max_plan = MAX_PLAN
    plan = TextAreaField(
        "How will support be reduced over time?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter the plan for reducing support"),
            Length(max=MAX_PLAN, message=f"The plan must be {MAX_PLAN:,} characters or fewer"),
        ],
    )
    volunteer_id = RadioField(
        "Which of the case's volunteers is part of it?",
        widget=GovRadioInput(),
        choices=[("", "No volunteer")],
        validate_choice=False,
        validators=[Optional()],
    )
    volunteer = TextAreaField(
        "Is a volunteer part of it? If so, how (optional)",
        widget=GovTextArea(),
        validators=[
            Length(
                max=MAX_VOLUNTEER,
                message=f"The volunteer's part must be {MAX_VOLUNTEER} characters or fewer",
            )
        ],
    )
    submit = SubmitField("Save the plan for reducing support", widget=GovSubmitInput())
