package com.cloudgreet.relay.webhook.endpoint;

import java.util.List;

import com.cloudgreet.relay.common.web.InternalTenant;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code /internal/v1/endpoints}: the gateway proxies the public {@code /v1/endpoints} here
 * verbatim, so these shapes are the public ones.
 */
@RestController
@RequestMapping("/internal/v1/endpoints")
public class EndpointController {

	private static final int MAX_PAGE = 250;

	private final EndpointService endpoints;

	public EndpointController(EndpointService endpoints) {
		this.endpoints = endpoints;
	}

	/** A page of endpoints; {@code next} is the cursor for the following page, null on the last. */
	public record EndpointPage(List<EndpointView> data, String next) {
	}

	@GetMapping
	public Mono<EndpointPage> list(@InternalTenant String tenantId,
			@RequestParam(required = false) String after, @RequestParam(defaultValue = "50") int limit) {
		int size = Math.max(1, Math.min(limit, MAX_PAGE));
		return this.endpoints.list(tenantId, after, size)
			.collectList()
			.map((page) -> new EndpointPage(page, page.size() < size ? null : page.get(page.size() - 1).id()));
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	public Mono<EndpointView> create(@InternalTenant String tenantId,
			@RequestBody(required = false) EndpointRequest request) {
		return this.endpoints.create(tenantId, request);
	}

	@GetMapping("/{id}")
	public Mono<EndpointView> get(@InternalTenant String tenantId, @PathVariable String id) {
		return this.endpoints.get(tenantId, id);
	}

	@PatchMapping("/{id}")
	public Mono<EndpointView> update(@InternalTenant String tenantId,
			@PathVariable String id, @RequestBody(required = false) EndpointRequest request) {
		return this.endpoints.update(tenantId, id, request);
	}

	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	public Mono<Void> delete(@InternalTenant String tenantId, @PathVariable String id) {
		return this.endpoints.delete(tenantId, id);
	}

	@PostMapping("/{id}/rotate-secret")
	public Mono<EndpointView> rotateSecret(@InternalTenant String tenantId,
			@PathVariable String id) {
		return this.endpoints.rotateSecret(tenantId, id);
	}

}
