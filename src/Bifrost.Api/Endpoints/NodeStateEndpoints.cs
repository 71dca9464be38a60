using System.Text.Json;
using System.Text.Json.Nodes;
using Bifrost.Api.Errors;
using Bifrost.Api.Json;
using Bifrost.Api.Requests;
using Bifrost.Api.Versioning;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Bifrost.Api.Json.JsonOut;

namespace Bifrost.Api.Endpoints;

/// <summary>A node's states, power and provision actions, maintenance, validation and boot device.</summary>
public static class NodeStateEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var node = app.MapGroup("/v1/nodes/{ident}");
        node.MapGet("/states", States);
        node.MapPut("/states/power", Power);
        node.MapPut("/states/provision", Provision);
        node.MapPut("/maintenance", SetMaintenance);
        node.MapDelete("/maintenance", UnsetMaintenance);
        node.MapGet("/validate", Validate);
        node.MapGet("/management/boot_device", GetBootDevice);
        node.MapPut("/management/boot_device", SetBootDevice);
        node.MapGet("/management/boot_device/supported", SupportedBootDevices);
    }

    private static async Task<IResult> States(HttpContext context, Conductor conductor, string ident)
    {
        var n = await NodeEndpoints.Resolve(context, conductor, ident);
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("console_enabled", n.ConsoleEnabled);
            WriteStringOrNull(w, "last_error", n.LastError);
            WriteStringOrNull(w, "power_state", n.PowerState);
            w.WriteString("provision_state", n.ProvisionState.ToWire());
            WriteTimestamp(w, "provision_updated_at", n.ProvisionUpdatedAt);
            WriteStringOrNull(w, "target_power_state", n.TargetPowerState);
            WriteStringOrNull(w, "target_provision_state", n.TargetProvisionState?.ToWire());
            WriteObject(w, "raid_config", n.RaidConfig);
            WriteObject(w, "target_raid_config", n.TargetRaidConfig);
            WriteStringOrNull(w, "boot_mode", n.BootMode);
            WriteBoolOrNull(w, "secure_boot", n.SecureBoot);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> Power(HttpContext context, Conductor conductor, string ident)
    {
        var body = await Body(context);
        var target = Fields.StringOrNull(body["target"], "power", "target")
                     ?? throw ApiException.BadRequest("Missing mandatory parameter: target");
        if (target is PowerStates.SoftOff or PowerStates.SoftRebooting) Http.Require(context, ApiVersion.SoftPower);
        TimeSpan? timeout = null;
        if (body["timeout"] is { } t)
        {
            Http.Require(context, ApiVersion.SoftPower);
            if (t is not JsonValue v || !v.TryGetValue<int>(out var seconds) || seconds < 1)
                throw ApiException.BadRequest($"Invalid timeout value {t.ToJsonString()}. The timeout must be an integer of at least 1 second.");
            timeout = TimeSpan.FromSeconds(seconds);
        }
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        await conductor.RequestPowerAsync(node.Uuid, ident, target, timeout, context.RequestAborted);
        return Http.Accepted(StatesUrl(context, ident));
    }

    private static readonly Dictionary<string, ApiVersion> VerbSince = new(StringComparer.Ordinal)
    {
        ["manage"] = ApiVersion.ManageableVerbs,
        ["provide"] = ApiVersion.ManageableVerbs,
        ["inspect"] = ApiVersion.Inspect,
        ["abort"] = ApiVersion.Abort,
        ["clean"] = ApiVersion.Clean,
        ["adopt"] = ApiVersion.Adopt,
        ["deploy"] = ApiVersion.DeployVerbs,
        ["undeploy"] = ApiVersion.DeployVerbs,
    };

    private static async Task<IResult> Provision(HttpContext context, Conductor conductor, string ident)
    {
        var body = await Body(context);
        var target = Fields.StringOrNull(body["target"], "provision", "target")
                     ?? throw ApiException.BadRequest("Missing mandatory parameter: target");
        if (VerbSince.TryGetValue(target, out var since)) Http.Require(context, since);

        List<JsonObject>? steps = null;
        if (body["clean_steps"] is { } rawSteps)
        {
            if (rawSteps is not JsonArray array || array.Any(s => s is not JsonObject))
                throw ApiException.BadRequest("Invalid clean_steps: expected a list of objects");
            steps = array.Select(s => (JsonObject)s!.DeepClone()).ToList();
        }
        if (body["configdrive"] is { } drive && drive is not (JsonObject or JsonValue))
            throw ApiException.BadRequest("Invalid configdrive: expected an object or a string");

        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var request = new ProvisionRequest { CleanSteps = steps, ConfigDrive = body["configdrive"]?.DeepClone() };
        await conductor.RequestProvisionAsync(node.Uuid, target, request, context.RequestAborted);
        return Http.Accepted(StatesUrl(context, ident));
    }

    private static async Task<IResult> SetMaintenance(HttpContext context, Conductor conductor, string ident)
    {
        var body = await Body(context);
        var reason = Fields.StringOrNull(body["reason"], "maintenance", "reason");
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        await conductor.SetMaintenanceAsync(node.Uuid, true, reason, context.RequestAborted);
        return Http.Accepted();
    }

    private static async Task<IResult> UnsetMaintenance(HttpContext context, Conductor conductor, string ident)
    {
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        await conductor.SetMaintenanceAsync(node.Uuid, false, null, context.RequestAborted);
        return Http.Accepted();
    }

    private static async Task<IResult> Validate(HttpContext context, Conductor conductor, string ident)
    {
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var results = conductor.Validate(node);
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            foreach (var (name, result) in results)
            {
                w.WritePropertyName(name);
                w.WriteStartObject();
                w.WriteBoolean("result", result.Result);
                if (!result.Result) WriteStringOrNull(w, "reason", result.Reason);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> GetBootDevice(HttpContext context, Conductor conductor, string ident)
    {
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var info = await conductor.GetBootDeviceAsync(node, context.RequestAborted);
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            WriteStringOrNull(w, "boot_device", info.BootDevice);
            WriteBoolOrNull(w, "persistent", info.Persistent);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> SetBootDevice(HttpContext context, Conductor conductor, string ident)
    {
        var body = await Body(context);
        var device = Fields.StringOrNull(body["boot_device"], "boot device", "boot_device")
                     ?? throw ApiException.BadRequest("Missing mandatory parameter: boot_device");
        var persistent = Fields.BoolOrNull(body["persistent"], "boot device", "persistent") ?? false;
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        await conductor.SetBootDeviceAsync(node.Uuid, device, persistent, context.RequestAborted);
        return Http.NoContent();
    }

    private static async Task<IResult> SupportedBootDevices(HttpContext context, Conductor conductor, string ident)
    {
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var devices = conductor.SupportedBootDevices(node);
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("supported_boot_devices");
            w.WriteStartArray();
            foreach (var d in devices) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>The body as an object; an empty body is an empty object, anything else is a 400.</summary>
    private static async Task<JsonObject> Body(HttpContext context) =>
        await Http.ReadJsonAsync(context.Request, context.RequestAborted) switch
        {
            null => new JsonObject(),
            JsonObject o => o,
            var other => throw ApiException.BadRequest($"Invalid request body: {JsonPatch.PyRepr(other)} is not of type 'object'"),
        };

    private static string StatesUrl(HttpContext context, string ident) =>
        $"{Http.BaseUrl(context.Request)}/v1/nodes/{ident}/states";
}
