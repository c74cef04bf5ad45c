from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from fraudhub.cases.services.appeals import appeal_file_for_owner
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.core.actors import Actor
from fraudhub.core.demo_data import DEMO_PASSWORD, DEMO_REPORTS, DEMO_USERS
from fraudhub.core.models import OrganizationKind, User
from fraudhub.core.services import organization_create, user_create
from fraudhub.reports.models import Report
from fraudhub.reports.services import ReportInput, report_create


class Command(BaseCommand):
    help = "Load a realistic demo data set, only when the database holds no users or reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="load even if not empty")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["force"] and (User.objects.exists() or Report.objects.exists()):
            self.stdout.write("Database is not empty: demo data not loaded.")
            self._print_logins()
            return
        system = Actor.system("demo")
        with transaction.atomic():
            orgs = {
                "platform": organization_create(actor=system, name="Demo Platform T&S",
                                                kind=OrganizationKind.PLATFORM),
                "agency": organization_create(actor=system, name="Cục An toàn thông tin (demo)",
                                              kind=OrganizationKind.AGENCY),
                "partner": organization_create(actor=system, name="Ngân hàng Demo",
                                               kind=OrganizationKind.PARTNER),
                "flagger": organization_create(actor=system, name="Chống Lừa Đảo (demo flagger)",
                                               kind=OrganizationKind.NGO, is_trusted_flagger=True),
            }
            users = {
                username: user_create(actor=system, username=username, password=DEMO_PASSWORD,
                                      role=role, email=f"{username}@demo.invalid",
                                      organization=orgs.get(org) if org else None)
                for username, role, org in DEMO_USERS
            }
        for index, item in enumerate(DEMO_REPORTS):
            actor = (Actor.for_user(users[item["as"]], ip="127.0.0.1") if item.get("as")
                     else Actor.anonymous(ip=f"10.0.{index // 200}.{index % 200 + 1}"))
            report_create(actor=actor, data=ReportInput(
                target_kind=item["kind"], target=item["target"], platform=item.get("platform", ""),
                fraud_type=item["fraud_type"], description=item["description"],
                good_faith=True, language=item.get("language", "vi"),
                reporter_email=item.get("email", ""),
            ))
        self._decide_some(users)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded: {len(DEMO_REPORTS)} reports, {len(DEMO_USERS)} users."))
        self._print_logins()

    def _decide_some(self, users: dict[str, User]) -> None:
        reviewer = Actor.for_user(users["reviewer"], ip="127.0.0.1")
        partner = Actor.for_user(users["partner"], ip="127.0.0.1")
        decided = Report.objects.filter(target__canonical__in=[
            "facebook:100089912345678", "telegram:vcb_hotro_khachhang",
        ]).values_list("case_id", flat=True).distinct()
        for case_id in decided:
            if case_id is None:
                continue
            case_claim(actor=reviewer, case_id=case_id)
            decision = decision_create(actor=reviewer, case_id=case_id, data=DecisionInput(
                outcome="suspend", ground="scam_fraud", days=14,
                facts="Many independent reports with matching screenshots show the account "
                      "soliciting deposits for a fake investment scheme.",
            ))
            if decision.case.target.canonical == "telegram:vcb_hotro_khachhang":
                appeal_file_for_owner(actor=partner, decision_id=decision.pk,
                                      statement="Tài khoản của tôi bị khóa nhầm, tôi là nhân viên "
                                                "ngân hàng thật.")

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, _org in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role}")
