package com.cloudgreet.relay.gateway.console;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The console's settings, bound from {@code relay.console.*}; defaults in {@code application.yml}.
 *
 * @param secureCookies whether cookies are marked Secure on plain HTTP too; only a local run over
 * plain HTTP turns this off (a request that arrived over HTTPS always gets Secure cookies)
 * @param linkTtl lifetime of a portal link created without {@code ttl}
 * @param maxLinkTtl the longest {@code ttl} a link may ask for
 * @param maxSessionTtl the longest a console session lasts, whatever its link's remaining lifetime
 * @param publicUrl the console's origin as browsers reach it (behind an ingress); null: the origin
 * the link request reached
 */
@Validated
@ConfigurationProperties("relay.console")
public record ConsoleProperties(boolean secureCookies, @NotNull Duration linkTtl, @NotNull Duration maxLinkTtl,
		@NotNull Duration maxSessionTtl, URI publicUrl) {
}
