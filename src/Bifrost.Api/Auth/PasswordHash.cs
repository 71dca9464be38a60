using System.Globalization;
using System.Security.Cryptography;

namespace Bifrost.Api.Auth;

/// <summary>
/// A stored password: <c>$pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and hash in base64, the iteration count
/// stored with the hash so it can be raised for new entries without breaking old ones). Comparison is constant-time.
/// </summary>
public sealed class PasswordHash
{
    public const string Scheme = "$pbkdf2-sha256$";

    /// <summary>OWASP's 2023 floor for PBKDF2-HMAC-SHA256 is 600k; we take 210k as a balance for a 2-core appliance
    /// that checks the password on every request (there is no verified-credential cache yet). Never below
    /// <see cref="MinIterations"/>.</summary>
    public const int DefaultIterations = 210_000;
    public const int MinIterations = 100_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    public int Iterations { get; }

    public static PasswordHash Create(ReadOnlySpan<byte> password, int iterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(iterations, salt, Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes));
    }

    public bool Verify(ReadOnlySpan<byte> password)
    {
        var candidate = Rfc2898DeriveBytes.Pbkdf2(password, _salt, Iterations, HashAlgorithmName.SHA256, _hash.Length);
        return CryptographicOperations.FixedTimeEquals(candidate, _hash);
    }

    /// <summary>The same work as a real check, for unknown users, so timing does not tell which names exist.</summary>
    public static void DummyVerify(ReadOnlySpan<byte> password) => Dummy.Verify(password);

    private static readonly PasswordHash Dummy = Create("not a password"u8);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}{Iterations}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}");

    public static bool TryParse(string text, out PasswordHash? hash, out string? error)
    {
        hash = null;
        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            error = $"not a {Scheme} hash";
            return false;
        }
        var parts = text[Scheme.Length..].Split('$');
        if (parts.Length != 3)
        {
            error = "expected $pbkdf2-sha256$ITERATIONS$SALT$HASH";
            return false;
        }
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinIterations)
        {
            error = $"iteration count '{parts[0]}' is not a number of at least {MinIterations}";
            return false;
        }
        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var value = Convert.FromBase64String(parts[2]);
            if (salt.Length < 8 || value.Length < 16)
            {
                error = "salt or hash too short";
                return false;
            }
            hash = new PasswordHash(iterations, salt, value);
            error = null;
            return true;
        }
        catch (FormatException)
        {
            error = "salt or hash is not base64";
            return false;
        }
    }
}
