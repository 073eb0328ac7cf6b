package mx.creditoya.belvo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestTemplate;

@Configuration
public class BelvoConfig {

    @Bean
    public ObjectMapper belvoMapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        return mapper;
    }

    @Bean
    public RestTemplate belvoRestTemplate(@Value("${belvo.secret-id}") String id,
                                          @Value("${belvo.secret-password}") String password) {
        RestTemplate template = new RestTemplate();
        template.getInterceptors().add((request, body, execution) -> {
            request.getHeaders().setBasicAuth(id, password);
            return execution.execute(request, body);
        });
        return template;
    }
}
