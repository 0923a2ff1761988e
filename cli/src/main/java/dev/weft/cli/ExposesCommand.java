package dev.weft.cli;

import dev.weft.identity.Identity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/**
 * Items are read as maps: an expose's JSON names its access flag {@code public}, a Java keyword.
 * (jackson-jr reads a list of {@code Map.class} wrongly; of LinkedHashMap, right.)
 */
@Command(name = "exposes", description = "List exposed services, their targets and who may open them.")
@SuppressWarnings("rawtypes")
final class ExposesCommand extends ListingCommand<LinkedHashMap> {
  ExposesCommand() {
    super(LinkedHashMap.class);
  }

  @Override
  String path() {
    return "/exposes";
  }

  @Override
  Table table(List<LinkedHashMap> exposes) {
    Table table = new Table("SERVICE", "TARGET", "ALLOWED");
    for (LinkedHashMap e : exposes) {
      table.row(e.get("service"), e.get("target"), Boolean.TRUE.equals(e.get("public")) ? "anyone"
          : ((List<?>) e.get("allow")).stream().map(p -> name(Identity.parse((String) p)))
              .collect(Collectors.joining(",")));
    }
    return table;
  }
}
