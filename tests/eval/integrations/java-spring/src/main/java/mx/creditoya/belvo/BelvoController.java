package mx.creditoya.belvo;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;

@RestController
public class BelvoController {
    private static final Logger log = LoggerFactory.getLogger(BelvoController.class);
    private static final DateTimeFormatter BELVO_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private final BelvoClient belvo;
    private final BankTransactionRepository transactions;

    public BelvoController(BelvoClient belvo, BankTransactionRepository transactions) {
        this.belvo = belvo;
        this.transactions = transactions;
    }

    @PostMapping("/api/links")
    public ResponseEntity<Map<String, String>> createLink(@RequestBody Map<String, String> in) throws Exception {
        LinkDto link = belvo.createLink(in.get("institution"), in.get("username"), in.get("password"), in.get("customerId"));
        log.info("created link {} for customer {}", link.id(), in.get("customerId"));
        return ResponseEntity.status(201).body(Map.of("id", link.id()));
    }

    @PostMapping("/belvo/webhooks")
    public ResponseEntity<Void> webhook(@RequestBody Map<String, Object> event) throws Exception {
        String type = (String) event.get("webhook_type");
        String linkId = (String) event.get("link_id");
        if ("TRANSACTIONS".equals(type)) {
            for (TransactionDto t : belvo.transactions(linkId)) {
                BankTransaction row = new BankTransaction();
                row.belvoId = t.id();
                row.linkId = linkId;
                row.amount = t.type() == TransactionDto.TransactionType.OUTFLOW ? -t.amount() : t.amount();
                row.description = t.description();
                row.collectedAt = LocalDateTime.parse(t.collectedAt(), BELVO_TS);
                transactions.save(row);
            }
        }
        return ResponseEntity.ok().build();
    }
}
