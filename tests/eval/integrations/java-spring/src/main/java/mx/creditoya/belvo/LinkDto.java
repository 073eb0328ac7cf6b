package mx.creditoya.belvo;

import com.fasterxml.jackson.annotation.JsonProperty;

public record LinkDto(
        String id,
        String institution,
        @JsonProperty("access_mode") String accessMode,
        String status,
        @JsonProperty("institution_user_id") String institutionUserId,
        @JsonProperty("external_id") String externalId,
        @JsonProperty("created_at") String createdAt) {}
