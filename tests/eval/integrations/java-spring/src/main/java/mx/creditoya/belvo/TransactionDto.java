package mx.creditoya.belvo;

import com.fasterxml.jackson.annotation.JsonProperty;

public record TransactionDto(
        String id,
        double amount,
        String currency,
        String description,
        @JsonProperty("value_date") String valueDate,
        @JsonProperty("collected_at") String collectedAt,
        TransactionType type,
        String status) {

    public enum TransactionType { INFLOW, OUTFLOW }
}
