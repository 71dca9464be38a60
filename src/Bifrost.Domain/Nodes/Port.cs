using System.Text.Json.Nodes;

namespace Bifrost.Domain.Nodes;

/// <summary>A NIC of a node, identified by its MAC address (stored lowercase; unique regardless of case).</summary>
public sealed class Port
{
    public Guid Uuid { get; set; }
    public string Address { get; set; } = "";
    public Guid NodeUuid { get; set; }
    public bool PxeEnabled { get; set; } = true;
    public string? PhysicalNetwork { get; set; }
    public bool IsSmartNic { get; set; }
    public JsonObject Extra { get; set; } = new();
    public JsonObject InternalInfo { get; set; } = new();
    public JsonObject LocalLinkConnection { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }

    public Port Clone()
    {
        var copy = (Port)MemberwiseClone();
        copy.Extra = (JsonObject)Extra.DeepClone();
        copy.InternalInfo = (JsonObject)InternalInfo.DeepClone();
        copy.LocalLinkConnection = (JsonObject)LocalLinkConnection.DeepClone();
        return copy;
    }
}
