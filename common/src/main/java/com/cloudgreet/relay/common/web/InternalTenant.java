package com.cloudgreet.relay.common.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a handler parameter to the tenant of a verified internal call. A handler reached without
 * one (the filter bypassed or misconfigured) refuses with {@code 401} instead of trusting a header.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface InternalTenant {

}
