"""Recognition fixtures: the cast's kudos and awards of this month.

Maria (manager, Alpha) thanks Rita and gives her a cash bonus of 250 and a day off;
Tom (teammate) thanks Rita; Otto (Beta) gets kudos from Oscar, his manager; Sofia
(South) an award from Sam. Who sees what follows the recognition feed's scope.
"""

from decimal import Decimal

import pytest

from coaching.recognition import services
from salesmgmt.models import CompanySettings
from tests.reporting.commissions.test_selectors import make_plan


@pytest.fixture
def today(db):
    return CompanySettings.load().today()


@pytest.fixture
def given(cast, today):
    """Kudos and awards of the cast, by name (Rita is on a commission plan: her
    statement pays the cash bonus)."""
    make_plan(cast["rep"], rate="5", quota_key=None)
    return {
        "maria_to_rita": services.give_kudos(
            giver=cast["manager"], recipient=cast["rep"], message="Great demo at Harbour"
        ),
        "tom_to_rita": services.give_kudos(
            giver=cast["teammate"], recipient=cast["rep"], message="Thanks for covering my calls"
        ),
        "oscar_to_otto": services.give_kudos(
            giver=cast["other_manager"], recipient=cast["other_team_rep"], message="Well done"
        ),
        "cash_to_rita": services.give_award(
            by=cast["manager"],
            recipient=cast["rep"],
            kind="cash",
            value=Decimal("250.00"),
            reason="Biggest deal of the quarter",
            given_on=today,
        ),
        "day_off_to_rita": services.give_award(
            by=cast["manager"],
            recipient=cast["rep"],
            kind="time_off",
            value_text="1 day",
            reason="Covered the trade fair",
            given_on=today,
        ),
        "sam_to_sofia": services.give_award(
            by=cast["south_manager"],
            recipient=cast["south_rep"],
            kind="gift",
            value=Decimal("80"),
            reason="Best onboarding buddy",
            given_on=today,
        ),
    }


# Which of ``given`` each member of the cast sees on the feed: anyone they may see, their
# own team's, and what they gave or received.
SEEN = {
    "rep": {"maria_to_rita", "tom_to_rita", "cash_to_rita", "day_off_to_rita"},
    "teammate": {"maria_to_rita", "tom_to_rita", "cash_to_rita", "day_off_to_rita"},
    "other_team_rep": {"oscar_to_otto"},
    "south_rep": {"sam_to_sofia"},
    "manager": {"maria_to_rita", "tom_to_rita", "cash_to_rita", "day_off_to_rita"},
    "other_manager": {"oscar_to_otto"},
    "south_manager": {"sam_to_sofia"},
    "director": {
        "maria_to_rita",
        "tom_to_rita",
        "cash_to_rita",
        "day_off_to_rita",
        "oscar_to_otto",
    },
    "admin": {
        "maria_to_rita",
        "tom_to_rita",
        "oscar_to_otto",
        "cash_to_rita",
        "day_off_to_rita",
        "sam_to_sofia",
    },
}
# Who reads the amount of Rita's cash bonus: Rita, Maria (giver, her manager), the North
# director and the admin; Tom sees it on the team feed without the amount.
READS_RITAS_AMOUNT = {"rep", "manager", "director", "admin"}
