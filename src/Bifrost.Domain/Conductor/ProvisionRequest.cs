using System.Text.Json.Nodes;

namespace Bifrost.Domain.Conductor;

/// <summary>What came with a provision verb besides the target.</summary>
public sealed record ProvisionRequest
{
    /// <summary>Manual cleaning steps (required for "clean").</summary>
    public IReadOnlyList<JsonObject>? CleanSteps { get; init; }

    /// <summary>A config drive for deploy/rebuild: a JSON object (meta_data, user_data, network_data) or a string.</summary>
    public JsonNode? ConfigDrive { get; init; }
}
