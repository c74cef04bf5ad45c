from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
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
        taken = sorted(User.objects.filter(username__in=[u for u, _r, _o in DEMO_USERS])
                       .values_list("username", flat=True))
        if taken:  # --force over an earlier demo: its users and organizations are unique
            raise CommandError(f"demo data is loaded already (users {', '.join(taken)} exist)")
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
        self._agency_requests(users)
        self._delisting_request()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded: {len(DEMO_REPORTS)} reports, {len(DEMO_USERS)} users."))
        self._print_logins()

    def _decide_some(self, users: dict[str, User]) -> None:
        reviewer = Actor.for_user(users["reviewer"], ip="127.0.0.1")
        # The platform whose accounts are enforced forwards its users' appeals (its webhook).
        platform = Actor.system("platform webhook (demo)")
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
                appeal_file_for_owner(actor=platform, decision_id=decision.pk,
                                      statement="Tài khoản của tôi bị khóa nhầm, tôi là nhân viên "
                                                "ngân hàng thật.")

    def _agency_requests(self, users: dict[str, User]) -> None:
        """Two requests of the demo agency: one half answered, one waiting for its answer."""
        from datetime import date

        from fraudhub.agencies.services.outcomes import TargetResponse, request_target_respond
        from fraudhub.agencies.services.requests import (
            LegalBasisInput,
            RequestInput,
            agency_request_create,
        )
        from fraudhub.agencies.target_list import rows_from_lines

        officer = Actor.for_user(users["officer"], ip="127.0.0.1")
        reviewer = Actor.for_user(users["reviewer"], ip="127.0.0.1")
        legal = LegalBasisInput(document_number="215/CATTT-KTAT", date=date(2026, 1, 12),
                                issuing_body="Cục An toàn thông tin", signer="Trần Văn D")
        suspend = agency_request_create(actor=officer, data=RequestInput(
            kind="suspend_account", legal_basis=legal, fraud_type="impersonation_official_brand",
            reason="Các tài khoản giả mạo lãnh đạo Bộ để kêu gọi đầu tư tiền ảo.",
            targets=rows_from_lines("https://www.facebook.com/profile.php?id=100091234567001\n"
                                    "https://www.facebook.com/people/Lanh-Dao-Gia/"
                                    "100091234567002/\n"
                                    "https://www.facebook.com/groups/dautu.tienao.vn\n"),
        ))
        listing = agency_request_create(actor=officer, data=RequestInput(
            kind="list_indicators", legal_basis=legal, fraud_type="fake_police_court",
            reason="Số điện thoại và tài khoản dùng trong vụ giả danh công an.",
            targets=rows_from_lines("024 3823 4567\n0981 222 333\n"),
        ))
        first = suspend.targets.order_by("line").first()
        if first is not None:
            request_target_respond(actor=reviewer, request_id=suspend.pk, target_id=first.pk,
                                   data=TargetResponse(outcome="needs_information",
                                                       note="Xin gửi đường dẫn bài viết cụ thể."))
        phone = listing.targets.order_by("line").first()
        if phone is not None:
            request_target_respond(actor=reviewer, request_id=listing.pk, target_id=phone.pk,
                                   data=TargetResponse(outcome="actioned",
                                                       note="Đã đưa vào cơ sở dữ liệu."))

    def _delisting_request(self) -> None:
        """The owner of a reported landline asks for review: its caller ID was spoofed."""
        from fraudhub.indicators.delisting import DelistingInput, delisting_request_create

        delisting_request_create(actor=Actor.anonymous(ip="10.0.9.1"), data=DelistingInput(
            value="024 3823 4567", type="phone", requester_name="Công ty TNHH Demo Hà Nội",
            requester_email="lienhe@demo.invalid",
            statement="Đây là số máy bàn của văn phòng chúng tôi. Kẻ gian đã giả mạo số hiển "
                      "thị khi gọi điện; chúng tôi gửi kèm hợp đồng thuê bao với nhà mạng.",
        ))

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, _org in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role}")
