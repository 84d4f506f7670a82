package bench.scg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * Spring Cloud Gateway as the benchmark's peer: one route, POST /v1/messages/sms, through the
 * RequestRateLimiter filter (RedisRateLimiter) to the bare endpoint (application.yml). No Kafka,
 * no validation, no auth: what the issue compares the gateway with is this limiter alone.
 */
@SpringBootApplication
public class ScgPeer {

	public static void main(String[] args) {
		SpringApplication.run(ScgPeer.class, args);
	}

	/** The limit is per API key, as the gateway's tenant limit is (key from the Authorization header). */
	@Bean
	KeyResolver apiKeyResolver() {
		return (exchange) -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("Authorization"));
	}

}
