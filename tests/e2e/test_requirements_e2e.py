"""Browser journey: a member writes a requirement with criteria and submits it; a maintainer approves,
the member marks it implemented, and the maintainer verifies it."""

import pytest

from apps.requirements.models import Requirement

URL = "/projects/payments-api/requirements"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_create_add_criteria_submit_approve_verify(page_as, project, screenshot):
    member = page_as("member")
    member.goto(f"{URL}/")
    member.get_by_role("link", name="Write the first requirement").click()
    member.get_by_label("Title").fill("Refund a payment")
    member.get_by_label("Description").fill("Support staff can refund **captured** payments.")
    member.get_by_label("Priority").select_option("must")
    member.get_by_label("Labels").fill("money, support")
    member.get_by_role("button", name="Save").click()
    member.wait_for_url(f"**{URL}/REQ-1/")

    for text in [
        "Given a captured payment, when support refunds it, then the customer is credited",
        "Given a refunded payment, when refunded again, then it is refused",
    ]:
        member.get_by_label("New criterion").fill(text)
        member.get_by_role("button", name="Add criterion").click()
        member.wait_for_load_state()
    assert member.locator("#criteria li").count() == 2
    assert member.get_by_role("button", name="Approve").count() == 0  # members can't approve
    member.get_by_role("button", name="Submit for review").click()
    member.wait_for_load_state()
    assert member.locator("#status").inner_text() == "In review"

    maintainer = page_as("maintainer")
    maintainer.goto(f"{URL}/REQ-1/")
    maintainer.get_by_label("Comment on this step (optional)").fill("Agreed with finance")
    maintainer.get_by_role("button", name="Approve").click()
    maintainer.wait_for_load_state()
    assert maintainer.locator("#status").inner_text() == "Approved"

    member.goto(f"{URL}/REQ-1/")
    member.get_by_role("button", name="Mark implemented").click()
    member.wait_for_load_state()
    assert member.get_by_role("button", name="Mark verified").count() == 0  # verifying needs a maintainer

    maintainer.goto(f"{URL}/REQ-1/")
    maintainer.get_by_role("button", name="Mark verified").click()
    maintainer.wait_for_load_state()
    assert maintainer.locator("#status").inner_text() == "Verified"
    assert "Agreed with finance" in maintainer.content()
    screenshot(maintainer, "requirements-verified")

    requirement = Requirement.objects.get()
    assert requirement.status == "verified" and requirement.criteria.count() == 2
    assert list(requirement.transitions.values_list("to_status", flat=True)) == [
        "verified",
        "implemented",
        "approved",
        "in_review",
    ]
