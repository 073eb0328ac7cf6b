package mx.creditoya.belvo;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.time.LocalDateTime;

@Entity
public class BankTransaction {
    @Id
    @Column(length = 36)
    public String belvoId;

    @Column(length = 36, nullable = false)
    public String linkId;

    public double amount;

    @Column(length = 40)
    public String description;

    public LocalDateTime collectedAt;
}
