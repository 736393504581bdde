from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.permissions import IsAdminOrReadOnly, has_admin_access
from core.viewsets import FunnelGenericViewSet, FunnelModelViewSet, SafeQueryMixin, ServiceWritesMixin
from users import services
from users.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    ObtainTokenSerializer,
    TeamSerializer,
    TokenSerializer,
    UserSerializer,
)
from users.authentication import token_scope
from users.devices import has_two_factor
from users.exceptions import TwoFactorLocked, WrongTwoFactorCode
from users.models import ApiToken, Team, User
from users.two_factor import verify_second_factor


class IPRateThrottle(SimpleRateThrottle):
    """Throttle by client address whoever the caller claims to be (logins, public forms)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthThrottle(IPRateThrottle):
    scope = "auth"


class ObtainTokenView(SafeQueryMixin, APIView):
    """Exchange a username and password for an API token (one live token per integration `name`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(
        request=ObtainTokenSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password, or a missing or wrong two-factor code."),
            429: OpenApiResponse(description="Too many wrong two-factor codes lately; retry after `Retry-After`."),
        },
        auth=[],
    )
    def post(self, request):
        payload = ObtainTokenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=payload.validated_data["username"], password=payload.validated_data["password"]
        )
        if user is None or not user.is_active:
            # One message for unknown users and wrong passwords: no account enumeration.
            raise exceptions.ValidationError({"non_field_errors": ["Unable to log in with these credentials."]})
        self._check_second_factor(request, user, payload.validated_data.get("two_factor_code", ""))
        options = {
            key: value
            for key, value in payload.validated_data.items()
            if key not in ("username", "password", "two_factor_code")
        }
        _, raw = services.create_api_token(user=user, **options)
        return Response({"token": raw}, status=status.HTTP_200_OK)

    @staticmethod
    def _check_second_factor(request, user: User, code: str) -> None:
        """A password alone mints no token for a user with two-factor sign-in: their code must come along."""
        if not has_two_factor(user):
            return
        if not code:
            raise exceptions.ValidationError(
                {"two_factor_code": ["This user has two-factor sign-in: send the code from their authenticator app."]}
            )
        try:
            verify_second_factor(user, code=code, request=request._request)
        except TwoFactorLocked as exc:
            raise exceptions.Throttled(wait=exc.retry_after, detail=exc.detail) from exc
        except WrongTwoFactorCode as exc:
            raise exceptions.ValidationError({"two_factor_code": [exc.detail]}) from exc


class ApiTokenViewSet(
    ServiceWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, FunnelGenericViewSet
):
    """Your API tokens (admins see all): create one per integration, list them, DELETE revokes."""

    serializer_class = ApiTokenSerializer
    filter_backends: list = []
    ordering = ["-created_at"]
    delete_service = services.revoke_api_token

    def get_queryset(self):
        tokens = ApiToken.objects.visible_to(self.request.user)
        # Everyone's tokens are an admin's view: an admin's read or write token lists and revokes its user's only.
        return tokens if has_admin_access(self.request) else tokens.filter(user_id=self.request.user.pk)

    @extend_schema(request=ApiTokenSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        payload = ApiTokenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, raw = services.create_api_token(
            user=request.user, within_scope=token_scope(request), request=request._request, **payload.validated_data
        )
        body = ApiTokenCreatedSerializer(token).data
        body["token"] = raw
        return Response(body, status=status.HTTP_201_CREATED)


class UserViewSet(FunnelModelViewSet):
    """Users the caller can see (teammates, team members for managers, all for admins); admins write.

    DELETE deactivates: sessions end and tokens are revoked; the user's records keep their owner.
    """

    serializer_class = UserSerializer
    permission_classes = [IsAdminOrReadOnly]
    search_fields = ["username", "name", "email"]
    filterset_fields = ["role", "team", "is_active"]
    ordering_fields = ["username", "date_joined"]
    ordering = ["username"]
    create_service = services.create_user
    update_service = services.update_user
    delete_service = services.deactivate_user

    def get_queryset(self):
        return User.objects.visible_to(self.request.user)


class TeamViewSet(FunnelModelViewSet):
    """Teams the caller can see; admins write."""

    serializer_class = TeamSerializer
    permission_classes = [IsAdminOrReadOnly]
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name"]
    create_service = services.create_team
    update_service = services.update_team
    delete_service = services.delete_team

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user)
