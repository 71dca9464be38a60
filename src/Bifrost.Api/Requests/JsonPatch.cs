using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bifrost.Api.Errors;

namespace Bifrost.Api.Requests;

/// <summary>One RFC 6902 operation of the subset Ironic accepts.</summary>
public sealed record PatchOperation(string Op, string Path, IReadOnlyList<string> Tokens, JsonNode? Value, JsonObject Raw);

/// <summary>
/// RFC 6902 add/replace/remove over a JSON document, with Ironic's error wording (python-jsonpatch's reasons and the
/// operation shown as a Python dict).
/// </summary>
public static class JsonPatch
{
    private static readonly string[] Ops = ["add", "replace", "remove"];

    /// <summary>Checks the body is a list of well-formed operations.</summary>
    public static IReadOnlyList<PatchOperation> Parse(JsonNode? body)
    {
        if (body is not JsonArray list)
            throw ApiException.BadRequest($"Schema error for patch: {PyRepr(body)} is not of type 'array'");
        var result = new List<PatchOperation>(list.Count);
        foreach (var item in list)
        {
            if (item is not JsonObject op)
                throw ApiException.BadRequest($"Schema error for patch: {PyRepr(item)} is not of type 'object'");
            var name = op["op"] is JsonValue o && o.GetValueKind() == JsonValueKind.String ? o.GetValue<string>() : null;
            if (name is null) throw ApiException.BadRequest("Schema error for patch: 'op' is a required property");
            if (!Ops.Contains(name))
                throw ApiException.BadRequest(
                    $"Schema error for patch: '{name}' is not one of ['add', 'replace', 'remove']");
            var path = op["path"] is JsonValue p && p.GetValueKind() == JsonValueKind.String ? p.GetValue<string>() : null;
            if (path is null) throw ApiException.BadRequest("Schema error for patch: 'path' is a required property");
            if (!path.StartsWith('/') || path.Length < 2)
                throw ApiException.BadRequest($"Schema error for patch: '{path}' does not match '^(/[\\\\w-]+)+$'");
            if (name != "remove" && !op.ContainsKey("value"))
                throw ApiException.BadRequest("Schema error for patch: 'value' is a required property");
            var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal)
                .Replace("~0", "~", StringComparison.Ordinal)).ToList();
            result.Add(new PatchOperation(name, path, tokens, op["value"]?.DeepClone(), op));
        }
        return result;
    }

    /// <summary>Applies one operation to <paramref name="doc"/> in place.</summary>
    public static void Apply(JsonObject doc, PatchOperation op)
    {
        JsonNode parent = doc;
        for (var i = 0; i < op.Tokens.Count - 1; i++)
        {
            var next = Child(parent, op.Tokens[i]);
            if (next is null) Fail(op, $"member '{op.Tokens[i]}' not found in {PyRepr(parent)}");
            parent = next!;
        }
        var key = op.Tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                var exists = obj.ContainsKey(key);
                if (op.Op == "remove")
                {
                    if (!exists) Fail(op, $"can't remove a non-existent object '{key}'");
                    obj.Remove(key);
                }
                else if (op.Op == "replace" && !exists) Fail(op, $"can't replace a non-existent object '{key}'");
                else obj[key] = op.Value?.DeepClone();
                break;
            case JsonArray arr:
                ApplyToArray(arr, key, op);
                break;
            default:
                Fail(op, $"cannot operate on a scalar at '{op.Path}'");
                break;
        }
    }

    private static void ApplyToArray(JsonArray arr, string key, PatchOperation op)
    {
        if (key == "-" && op.Op == "add")
        {
            arr.Add(op.Value?.DeepClone());
            return;
        }
        if (!int.TryParse(key, out var index) || index < 0 || index > arr.Count || (op.Op != "add" && index == arr.Count))
        {
            Fail(op, $"invalid array index '{key}'");
            return;
        }
        switch (op.Op)
        {
            case "add": arr.Insert(index, op.Value?.DeepClone()); break;
            case "remove": arr.RemoveAt(index); break;
            default: arr[index] = op.Value?.DeepClone(); break;
        }
    }

    private static JsonNode? Child(JsonNode parent, string token) => parent switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
        _ => null,
    };

    private static void Fail(PatchOperation op, string reason) =>
        throw ApiException.BadRequest($"Couldn't apply patch '{PyRepr(Shown(op))}'. Reason: {reason}");

    /// <summary>The operation as the message echoes it, its value masked when it is a secret: the message is shown
    /// and logged (Ironic echoes the value as given, ipmi_password included).</summary>
    private static JsonObject Shown(PatchOperation op)
    {
        var key = op.Tokens[^1];
        if (op.Raw["value"] is not { } value) return op.Raw;
        var copy = (JsonObject)op.Raw.DeepClone();
        copy["value"] = Json.Secrets.IsSecretInstanceKey(key) ? Json.Secrets.Mask
            : value is JsonObject o ? Json.Secrets.InstanceInfo(o).DeepClone()
            : value is JsonValue v && v.TryGetValue<string>(out var text) ? Json.Secrets.MaskUrlCredentials(text)
            : value.DeepClone();
        return copy;
    }

    /// <summary>A JSON value written the way Python's repr() writes the equivalent dict/list/str.</summary>
    public static string PyRepr(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(node);
        return sb.ToString();

        void Write(JsonNode? n)
        {
            switch (n)
            {
                case null: sb.Append("None"); break;
                case JsonObject o:
                    sb.Append('{');
                    var first = true;
                    foreach (var (k, v) in o)
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        sb.Append('\'').Append(k).Append("': ");
                        Write(v);
                    }
                    sb.Append('}');
                    break;
                case JsonArray a:
                    sb.Append('[');
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        Write(a[i]);
                    }
                    sb.Append(']');
                    break;
                case JsonValue v:
                    switch (v.GetValueKind())
                    {
                        case JsonValueKind.String: sb.Append('\'').Append(v.GetValue<string>()).Append('\''); break;
                        case JsonValueKind.True: sb.Append("True"); break;
                        case JsonValueKind.False: sb.Append("False"); break;
                        default: sb.Append(v.ToJsonString()); break;
                    }
                    break;
            }
        }
    }
}
