package com.cloudgreet.relay.gateway.ratelimit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;

/**
 * A {@link ReactiveStringRedisTemplate} that runs resource-backed scripts from their text, read
 * once. {@code RedisScript.of(Resource)} asks its resource for a last-modified time on every call
 * (to re-hash a changed script), which for a class-path resource inside the application jar is a
 * class-loader lookup per request: profiling showed it at 46% of the gateway's CPU under load.
 * Scripts in a jar never change, so their text and SHA are taken once.
 *
 * <p>Belongs in common's {@code RedisRateLimiter} (build its script with
 * {@code RedisScript.of(String, Class)}); kept here until it moves there.
 */
public class StaticScriptRedisTemplate extends ReactiveStringRedisTemplate {

	private final Map<RedisScript<?>, RedisScript<?>> fixed = new ConcurrentHashMap<>();

	public StaticScriptRedisTemplate(ReactiveRedisConnectionFactory connectionFactory) {
		super(connectionFactory);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> Flux<T> execute(RedisScript<T> script, List<String> keys, List<?> args) {
		RedisScript<T> once = (RedisScript<T>) this.fixed.computeIfAbsent(script,
				(s) -> RedisScript.of(s.getScriptAsString(), s.getResultType()));
		return super.execute(once, keys, args);
	}

}
