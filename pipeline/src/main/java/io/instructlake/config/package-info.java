/**
 * One typed configuration: {@link io.instructlake.config.PipelineConfig} resolves precedence
 * (command line, environment, file, reference.conf defaults) and rejects unknown keys; {@link
 * io.instructlake.config.ConfigReader} gives typed getters whose errors name the key, the value and
 * the fix.
 */
package io.instructlake.config;
