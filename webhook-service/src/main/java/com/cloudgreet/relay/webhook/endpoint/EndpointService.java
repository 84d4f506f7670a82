package com.cloudgreet.relay.webhook.endpoint;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.webhook.api.ApiProblems;
import com.cloudgreet.relay.webhook.signing.SecretCipher;
import com.cloudgreet.relay.webhook.signing.SigningSecrets;
import com.cloudgreet.relay.webhook.ssrf.UnsafeUrlException;
import com.cloudgreet.relay.webhook.ssrf.UrlGuard;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Endpoint management: validation, SSRF vetting of URLs, the per-tenant endpoint cap, secrets
 * (generated here, stored encrypted) and their rotation.
 */
public class EndpointService {

	private final EndpointRepository repository;

	private final UrlGuard urlGuard;

	private final SecretCipher cipher;

	private final Settings settings;

	private final Clock clock;

	/**
	 * {@code maxPerTenant} bounds a tenant's endpoints and so the fan-out of one event;
	 * {@code rotationGrace} is how long a replaced secret keeps signing.
	 */
	public record Settings(int maxPerTenant, Duration rotationGrace) {
	}

	public EndpointService(EndpointRepository repository, UrlGuard urlGuard, SecretCipher cipher, Settings settings,
			Clock clock) {
		this.repository = repository;
		this.urlGuard = urlGuard;
		this.cipher = cipher;
		this.settings = settings;
		this.clock = clock;
	}

	public Mono<EndpointView> create(String tenantId, EndpointRequest request) {
		return validate(request, true).then(vetUrl(request.url())).flatMap((url) -> {
			var now = this.clock.instant();
			List<String> types = request.normalisedEventTypes();
			String id = RelayIds.next(IdKind.ENDPOINT);
			String secret = SigningSecrets.generate();
			var endpoint = new Endpoint(id, tenantId, url, blankToNull(request.description()),
					types == null ? List.of() : types, request.enabled() == null || request.enabled(), null, null,
					this.cipher.encrypt(secret, id), List.of(), 0, null, now, now, request.rateLimit());
			return this.repository.insert(endpoint, this.settings.maxPerTenant())
				.switchIfEmpty(Mono.error(() -> ApiProblems.endpointLimit(this.settings.maxPerTenant())))
				.map((stored) -> EndpointView.withSecret(stored, secret, null));
		});
	}

	public Flux<EndpointView> list(String tenantId, String after, int limit) {
		return this.repository.list(tenantId, after, limit).map(EndpointView::of);
	}

	public Mono<EndpointView> get(String tenantId, String id) {
		return found(this.repository.find(tenantId, id), id).map(EndpointView::of);
	}

	public Mono<EndpointView> update(String tenantId, String id, EndpointRequest request) {
		Mono<String> url = request.url() == null ? Mono.just("") : vetUrl(request.url());
		return validate(request, false).then(url)
			.flatMap((vetted) -> this.repository.update(tenantId, id, vetted.isEmpty() ? null : vetted,
					request.normalisedEventTypes(), request.description(), request.enabled(), request.rateLimit()))
			.switchIfEmpty(Mono.error(() -> ApiProblems.notFound("endpoint", id)))
			.map(EndpointView::of);
	}

	public Mono<Void> delete(String tenantId, String id) {
		return this.repository.delete(tenantId, id)
			.flatMap((deleted) -> deleted ? Mono.<Void>empty() : Mono.error(ApiProblems.notFound("endpoint", id)));
	}

	/** A new secret; the old one keeps signing beside it for the grace period so receivers can switch over. */
	public Mono<EndpointView> rotateSecret(String tenantId, String id) {
		var expires = this.clock.instant().plus(this.settings.rotationGrace());
		String secret = SigningSecrets.generate();
		return found(this.repository.rotateSecret(tenantId, id, this.cipher.encrypt(secret, id), expires), id)
			.map((endpoint) -> EndpointView.withSecret(endpoint, secret, expires));
	}

	private Mono<String> vetUrl(String url) {
		return this.urlGuard.vet(url)
			.map(Object::toString)
			.onErrorMap(UnsafeUrlException.class, (ex) -> ApiProblems.unsafeUrl(ex.getMessage()));
	}

	private static Mono<Void> validate(EndpointRequest request, boolean create) {
		if (request == null) {
			return Mono.error(ApiProblems.badRequest("a JSON body is required"));
		}
		List<Violation> violations = request.violations(create);
		return violations.isEmpty() ? Mono.empty() : Mono.error(ApiProblems.validation(violations));
	}

	private static Mono<Endpoint> found(Mono<Endpoint> endpoint, String id) {
		return endpoint.switchIfEmpty(Mono.error(() -> ApiProblems.notFound("endpoint", id)));
	}

	private static String blankToNull(String text) {
		return text == null || text.isBlank() ? null : text;
	}

}
