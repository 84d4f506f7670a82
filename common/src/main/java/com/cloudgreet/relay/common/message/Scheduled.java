package com.cloudgreet.relay.common.message;

import java.time.Instant;

/** A request that may name when it is to be sent ({@code null}: at once). */
public interface Scheduled {

	Instant sendAt();

}
