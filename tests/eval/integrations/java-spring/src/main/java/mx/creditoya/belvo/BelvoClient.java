package mx.creditoya.belvo;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestTemplate;

@Component
public class BelvoClient {
    private static final Logger log = LoggerFactory.getLogger(BelvoClient.class);

    private final RestTemplate rest;
    private final ObjectMapper mapper;
    private final String baseUrl;

    public BelvoClient(RestTemplate belvoRestTemplate, ObjectMapper belvoMapper, @Value("${belvo.url}") String baseUrl) {
        this.rest = belvoRestTemplate;
        this.mapper = belvoMapper;
        this.baseUrl = baseUrl;
    }

    public LinkDto createLink(String institution, String username, String password, String externalId) throws Exception {
        Map<String, String> body = Map.of("institution", institution, "username", username,
                "password", password, "external_id", externalId);
        try {
            ResponseEntity<String> resp = rest.postForEntity(baseUrl + "/api/links/", body, String.class);
            return mapper.readValue(resp.getBody(), LinkDto.class);
        } catch (HttpStatusCodeException e) {
            log.error("Belvo link creation failed: {} {}", e.getStatusCode(), e.getResponseBodyAsString());
            throw e;
        }
    }

    public List<TransactionDto> transactions(String linkId) throws Exception {
        String json = rest.getForObject(baseUrl + "/api/transactions/?link={link}&page_size=1000", String.class, linkId);
        TransactionPage page = mapper.readValue(json, TransactionPage.class);
        return page.results();
    }

    public record TransactionPage(int count, String next, String previous, List<TransactionDto> results) {}
}
