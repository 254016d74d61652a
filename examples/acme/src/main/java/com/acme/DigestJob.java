package com.acme;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.json.JsonObject;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/** The SHA-256 of a file: {@code {"path": "..."}} in, {@code {"path", "bytes", "sha256"}} out, with progress as it reads. */
public class DigestJob implements Job {

  /** The keys of its {@code params}: the config check applies it to a hook's params, {@link #validate} to a request's. */
  public static ConfigShape configShape() {
    return ConfigShape.of(ConfigShape.string("path").length(1, 4096).required().shown());
  }

  @Override
  public void validate(JsonObject params) {
    List<String> problems = configShape().check(params, "params");
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  @Override
  public Object run(JobContext ctx) throws Exception {
    Path path = Path.of(ctx.params().getString("path"));
    long size = Math.max(1, Files.size(path));
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[64 * 1024];
    long read = 0;
    try (InputStream in = Files.newInputStream(path)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        ctx.checkCancelled();
        sha256.update(buffer, 0, n);
        read += n;
        ctx.progress((double) read / size);
      }
    }
    return new JsonObject().put("path", path.toString()).put("bytes", read).put("sha256", HexFormat.of().formatHex(sha256.digest()));
  }
}
