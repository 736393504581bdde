from rest_framework import serializers

from nurture.models import Delivery, Enrollment, Sequence, Step
from nurture.services.sequences import SEQUENCE_FIELDS, STEP_FIELDS


class StepSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give an existing step's id to keep and edit it.")

    class Meta:
        model = Step
        fields = ["id", *STEP_FIELDS]


class SequenceSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, required=False, help_text="The full, ordered step list; replaces it on write.")

    class Meta:
        model = Sequence
        fields = ["id", *SEQUENCE_FIELDS, "steps", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_steps(self, steps):
        orders = [step["order"] for step in steps]
        if len(set(orders)) != len(orders):
            raise serializers.ValidationError("Each step needs its own order.")
        return steps


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "step", "status", "message_id", "created_at", "sent_at", "error"]


class EnrollmentSerializer(serializers.ModelSerializer):
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "lead",
            "sequence",
            "status",
            "current_step",
            "next_send_at",
            "stop_reason",
            "enrolled_by",
            "created_at",
            "updated_at",
            "ended_at",
            "deliveries",
        ]
        read_only_fields = fields


class EnrollInputSerializer(serializers.Serializer):
    sequence = serializers.PrimaryKeyRelatedField(queryset=Sequence.objects.all())
