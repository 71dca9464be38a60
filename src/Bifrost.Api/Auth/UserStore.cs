using Microsoft.Extensions.Logging;

namespace Bifrost.Api.Auth;

/// <summary>
/// The users the API accepts, read from the users file and read again whenever its size or modification time
/// changes (so <c>bifrost user add</c> takes effect without a restart). A file that cannot be read or parsed keeps
/// the last good set and is logged once per change.
/// </summary>
public sealed partial class UserStore(string file, ILogger<UserStore> logger)
{
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, UsersFile.Entry> _users = new Dictionary<string, UsersFile.Entry>();
    private (DateTime Modified, long Length)? _seen;

    public string File => file;

    public PasswordHash? Find(string name)
    {
        Refresh();
        return _users.TryGetValue(name, out var entry) ? entry.Hash : null;
    }

    public int Count
    {
        get
        {
            Refresh();
            return _users.Count;
        }
    }

    private void Refresh()
    {
        var info = new FileInfo(file);
        (DateTime, long)? stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
        lock (_gate)
        {
            if (_seen is not null && stamp == _seen) return;
            _seen = stamp;
            if (stamp is null)
            {
                _users = new Dictionary<string, UsersFile.Entry>();
                Log.NoUsersFile(logger, file);
                return;
            }
            try
            {
                _users = UsersFile.Read(file);
                Log.Loaded(logger, file, _users.Count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.Unreadable(logger, file, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2100, LogLevel.Warning, "users file {File} does not exist: every API request is refused; create a user with 'bifrost user add NAME'")]
        public static partial void NoUsersFile(ILogger logger, string file);

        [LoggerMessage(2101, LogLevel.Information, "users file {File}: {Count} user(s)")]
        public static partial void Loaded(ILogger logger, string file, int count);

        [LoggerMessage(2102, LogLevel.Error, "users file {File} cannot be used, keeping the previous users: {Error}")]
        public static partial void Unreadable(ILogger logger, string file, string error);
    }
}
