package com.cloudgreet.relay.gateway.console.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;

import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.console.ConsoleCookies;
import com.cloudgreet.relay.gateway.console.ConsoleFilter;
import com.cloudgreet.relay.gateway.openapi.OpenApiConfiguration;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.web.ClientIpResolver;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator console's way in and out: the admin token, pasted into a form (CSRF-checked by
 * {@link ConsoleFilter}), is compared in constant time and exchanged for an operator session
 * cookie; logout ends that session, {@code POST /admin/v1/operator-sessions/revoke} ends all.
 */
@Controller
public class OperatorLoginController {

	private final OperatorSessions sessions;

	private final LoginAttempts attempts;

	private final ClientIpResolver clientIps;

	private final ConsoleCookies cookies;

	private final byte[] adminToken;

	public OperatorLoginController(OperatorSessions sessions, LoginAttempts attempts, ClientIpResolver clientIps,
			ConsoleCookies cookies, GatewayProperties properties) {
		this.sessions = sessions;
		this.attempts = attempts;
		this.clientIps = clientIps;
		this.cookies = cookies;
		String token = properties.adminToken();
		this.adminToken = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
	}

	@Hidden
	@GetMapping(OperatorPaths.LOGIN)
	public Rendering loginPage(ServerWebExchange exchange) {
		return loginView(exchange, null).build();
	}

	@Hidden
	@PostMapping(OperatorPaths.LOGIN)
	public Mono<Rendering> login(ServerWebExchange exchange) {
		String clientIp = this.clientIps.resolve(exchange.getRequest());
		return this.attempts.spend(clientIp).flatMap((decision) -> {
			if (!decision.allowed()) {
				long seconds = ApiProblem.seconds(decision.retryAfter());
				exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
				return Mono.just(loginView(exchange, "Too many attempts from your address; try again in " + seconds
						+ " s.").status(HttpStatus.TOO_MANY_REQUESTS).build());
			}
			return exchange.getFormData().flatMap((form) -> {
				if (!matches(form.getFirst("token"))) {
					return Mono.just(loginView(exchange, "That is not the admin token.")
						.status(HttpStatus.UNAUTHORIZED)
						.build());
				}
				return this.sessions.open().map((id) -> {
					exchange.getResponse().addCookie(sessionCookie(exchange, id, this.sessions.ttl()));
					return Rendering.redirectTo(OperatorPaths.TENANTS).status(HttpStatus.SEE_OTHER).build();
				});
			});
		});
	}

	@Hidden
	@PostMapping(OperatorPaths.LOGOUT)
	public Mono<Rendering> logout(ServerWebExchange exchange) {
		Caller.operator(exchange);
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(OperatorPaths.SESSION_COOKIE);
		exchange.getResponse().addCookie(sessionCookie(exchange, "", Duration.ZERO));
		return this.sessions.close(cookie.getValue())
			.thenReturn(Rendering.redirectTo(OperatorPaths.LOGIN).status(HttpStatus.SEE_OTHER).build());
	}

	@PostMapping(OperatorPaths.REVOKE)
	@ResponseBody
	@Tag(name = "admin")
	@SecurityRequirement(name = OpenApiConfiguration.ADMIN_TOKEN)
	@Operation(summary = "End every operator console session at once")
	@ApiResponse(responseCode = "200", description = "{\"status\": \"revoked\"}")
	public Mono<Map<String, String>> revokeAll(ServerWebExchange exchange) {
		Caller.admin(exchange);
		return this.sessions.revokeAll().thenReturn(Map.of("status", "revoked"));
	}

	/** Constant-time, so response timing does not reveal how much of a guess was right; never with no token set. */
	private boolean matches(String token) {
		return this.adminToken != null && token != null
				&& MessageDigest.isEqual(this.adminToken, token.trim().getBytes(StandardCharsets.UTF_8));
	}

	private ResponseCookie sessionCookie(ServerWebExchange exchange, String id, Duration ttl) {
		return this.cookies.cookie(exchange, OperatorPaths.SESSION_COOKIE, id, ttl, OperatorPaths.ROOT);
	}

	private Rendering.Builder<?> loginView(ServerWebExchange exchange, String error) {
		Rendering.Builder<?> view = Rendering.view("console/operator/login")
			.modelAttribute("csrf", exchange.getAttribute(ConsoleFilter.CSRF_ATTRIBUTE))
			.modelAttribute("disabled", this.adminToken == null);
		return error == null ? view : view.modelAttribute("error", error);
	}

}
