using System.Text;

namespace Bifrost.Api.Auth;

/// <summary>
/// The users file, htpasswd-like: one <c>NAME:$pbkdf2-sha256$ITERATIONS$SALT$HASH</c> per line, <c>#</c> comments
/// and blank lines ignored. Names are case-sensitive, without ':' or whitespace.
/// </summary>
public static class UsersFile
{
    public sealed record Entry(string Name, PasswordHash Hash);

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => c > ' ' && c != ':' && c != 0x7f);

    /// <summary>Parses the file's text; a bad line is an error naming its line number (never its content: a
    /// hand-edited file might hold a password).</summary>
    public static IReadOnlyDictionary<string, Entry> Parse(string text, string file)
    {
        var users = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new InvalidDataException($"{file} line {lineNumber}: expected NAME:HASH");
            var name = line[..colon];
            if (!IsValidName(name)) throw new InvalidDataException($"{file} line {lineNumber}: invalid user name");
            if (!PasswordHash.TryParse(line[(colon + 1)..], out var hash, out var error))
                throw new InvalidDataException($"{file} line {lineNumber} (user {name}): {error}");
            if (!users.TryAdd(name, new Entry(name, hash!)))
                throw new InvalidDataException($"{file} line {lineNumber}: user {name} appears twice");
        }
        return users;
    }

    public static IReadOnlyDictionary<string, Entry> Read(string file) =>
        File.Exists(file) ? Parse(File.ReadAllText(file), file) : new Dictionary<string, Entry>();

    /// <summary>
    /// Writes the users in place (truncate and rewrite), which keeps the owner and mode of an existing file — the
    /// package creates it owned by the service user, and <c>bifrost user add</c> is usually run by root. A new file
    /// gets mode 0600. The daemon rereads the file when it changes, so no restart is needed.
    /// </summary>
    public static void Write(string file, IEnumerable<Entry> users)
    {
        var text = new StringBuilder("# Bifrost API users (bifrost user add|remove|list); NAME:$pbkdf2-sha256$ITERATIONS$SALT$HASH\n");
        foreach (var u in users.OrderBy(u => u.Name, StringComparer.Ordinal)) text.Append(u.Name).Append(':').Append(u.Hash).Append('\n');
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows() && !File.Exists(file))
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file, options);
        stream.SetLength(0);
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
