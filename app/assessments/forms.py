"""The needs assessment form: nine areas (a score on the scale, the person's own words, the
worker's notes, a priority for support), when, how and by whom it was held, and for the
children and young people's version who else was present and the young person's own view.

The form checks only what the browser sends; the rules (what a draft may leave out, what
completing needs, the scale) are the service's (casework.assessments.recording)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from app.forms import GovDateField, posted_int
from casework.assessments.details import (
    ASSESSMENT_MODES,
    MAX_PRESENT_OTHER,
    MAX_VIEW,
    AreaAnswer,
    AssessmentDetails,
)
from triage.needs import AREAS, PRESENT, SCALE


class OptionalDateField(GovDateField):
    """A GOV.UK date that may be left blank (a draft need not say when it was held yet)."""

    def process_formdata(self, valuelist):
        if valuelist and not any(v.strip() for v in valuelist):
            self.data = None
            return
        super().process_formdata(valuelist)


class AssessmentForm(FlaskForm):
    """A needs assessment, saved as a draft or completed. The area fields are added below, four
    per area: ``score_<area>``, ``own_words_<area>``, ``notes_<area>``, ``priority_<area>``."""

    max_view = MAX_VIEW
    max_present_other = MAX_PRESENT_OTHER
    held_on = OptionalDateField("Date it was held")
    mode = RadioField(
        "How was it held?",
        widget=GovRadioInput(),
        choices=list(ASSESSMENT_MODES.items()),
        validate_choice=False,
    )
    worker = SelectField("Who held it?", widget=GovSelect(), choices=[], validate_choice=False)
    present = SelectMultipleField(
        "Who else was present?",
        widget=GovCheckboxesInput(),
        choices=list(PRESENT.items()),
        validate_choice=False,
    )
    present_other = StringField("Who else was there", widget=GovTextInput())
    young_persons_view = TextAreaField("The young person's own view", widget=GovCharacterCount())
    version = HiddenField()
    young_person = HiddenField()
    save_draft = SubmitField("Save draft", widget=GovSubmitInput())
    complete = SubmitField("Complete assessment", widget=GovSubmitInput())

    def area(self, area: str, part: str):
        """One area's field: ``part`` is score, own_words, notes or priority."""
        return self[f"{part}_{area}"]

    def completing(self) -> bool:
        """Whether the worker pressed "Complete assessment" (not "Save draft")."""
        return bool(self.complete.data)

    def loaded_version(self) -> int | None:
        """The version sent back with the form, or None when absent or not a version."""
        return posted_int(self.version.data)

    def details(self) -> AssessmentDetails:
        """What was written, for the service to check and store."""
        return AssessmentDetails(
            areas={
                area: AreaAnswer(
                    score=self.area(area, "score").data,
                    own_words=self.area(area, "own_words").data,
                    notes=self.area(area, "notes").data,
                    priority=bool(self.area(area, "priority").data),
                )
                for area in AREAS
            },
            held_on=self.held_on.data,
            mode=self.mode.data or None,
            worker_id=posted_int(self.worker.data),
            present=tuple(self.present.data or ()),
            present_other=self.present_other.data,
            young_persons_view=self.young_persons_view.data,
        )

    def fill(self, assessment) -> None:
        """Show a saved draft's answers in the form."""
        for row in assessment.areas:
            if row.area not in AREAS:
                continue
            self.area(row.area, "score").data = str(row.score) if row.score else None
            self.area(row.area, "own_words").data = row.own_words
            self.area(row.area, "notes").data = row.worker_notes
            self.area(row.area, "priority").data = row.priority
        self.held_on.data = assessment.held_on
        self.mode.data = assessment.mode
        self.worker.data = str(assessment.worker_id) if assessment.worker_id else ""
        self.present.data = [c for c in (assessment.present or "").split(",") if c]
        self.present_other.data = assessment.present_other
        self.young_persons_view.data = assessment.young_persons_view
        self.version.data = str(assessment.version)


SCORE_CHOICES = [(str(score), f"{score}: {words}") for score, words in SCALE.items()]

for _area in AREAS:
    setattr(
        AssessmentForm,
        f"score_{_area}",
        RadioField("Score", widget=GovRadioInput(), choices=SCORE_CHOICES, validate_choice=False),
    )
    setattr(
        AssessmentForm,
        f"own_words_{_area}",
        TextAreaField("In their own words", widget=GovTextArea()),
    )
    setattr(AssessmentForm, f"notes_{_area}", TextAreaField("Worker's notes", widget=GovTextArea()))
    setattr(
        AssessmentForm,
        f"priority_{_area}",
        BooleanField("Priority for support", widget=GovCheckboxInput()),
    )
