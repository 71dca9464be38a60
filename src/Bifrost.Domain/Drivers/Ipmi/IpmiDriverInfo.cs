using System.Text.Json;
using System.Text.Json.Nodes;
using Bifrost.Domain.Errors;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>IPMI privilege levels a session may ask for (IPMI v2.0 §13.17, Ironic's ipmi_priv_level values).</summary>
public enum IpmiPrivilege
{
    Callback = 1,
    User = 2,
    Operator = 3,
    Administrator = 4,
}

/// <summary>
/// The IPMI settings of a node's driver_info, parsed and checked without contacting the BMC. The password is kept
/// but never shown: <see cref="ToString"/> masks it.
/// </summary>
public sealed record IpmiDriverInfo(
    string Address, int Port, string? Username, string? Password, int? CipherSuite, IpmiPrivilege Privilege)
{
    public const int DefaultPort = 623;

    private static readonly Dictionary<string, IpmiPrivilege> Privileges = new(StringComparer.Ordinal)
    {
        ["ADMINISTRATOR"] = IpmiPrivilege.Administrator,
        ["CALLBACK"] = IpmiPrivilege.Callback,
        ["OPERATOR"] = IpmiPrivilege.Operator,
        ["USER"] = IpmiPrivilege.User,
    };

    public static IpmiDriverInfo Parse(JsonObject info)
    {
        var address = String(info, "ipmi_address");
        if (string.IsNullOrWhiteSpace(address))
            throw new BifrostException("Missing the following IPMI credentials in node's driver_info: ['ipmi_address'].");

        var port = Integer(info, "ipmi_port") ?? DefaultPort;
        if (port is < 1 or > 65535)
            throw new BifrostException($"Invalid ipmi_port {port}: it must be an integer from 1 to 65535.");

        var suite = Integer(info, "ipmi_cipher_suite");
        if (suite is < 0 or > 17)
            throw new BifrostException($"Invalid ipmi_cipher_suite {suite}: IPMI v2.0 defines cipher suites 0 to 17.");

        var priv = IpmiPrivilege.Administrator;
        if (String(info, "ipmi_priv_level") is { } level)
        {
            if (!Privileges.TryGetValue(level, out priv))
                throw new BifrostException(
                    $"Invalid privilege level value:{level}, the valid value can be one of ['ADMINISTRATOR', 'CALLBACK', 'OPERATOR', 'USER']");
        }

        return new IpmiDriverInfo(
            address.Trim(), port, String(info, "ipmi_username"), String(info, "ipmi_password"), suite, priv);
    }

    public override string ToString() =>
        $"{Address}:{Port} user={Username ?? "(none)"} password={(Password is null ? "(none)" : "******")} " +
        $"suite={CipherSuite?.ToString() ?? "auto"} priv={Privilege.ToString().ToUpperInvariant()}";

    private static string? String(JsonObject info, string key) => info[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw new BifrostException($"Invalid {key}: expected a string."),
    };

    // The CLI JSON-decodes key=value arguments, so ports arrive as numbers or strings ("623"); accept both.
    private static int? Integer(JsonObject info, string key) => info[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), out var j) => j,
        _ => throw new BifrostException($"Invalid {key}: expected an integer."),
    };
}
