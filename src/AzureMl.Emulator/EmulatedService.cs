
namespace AzureMl.Emulator;

/// <summary>A web service the emulator hosts: its id, API key and model.</summary>
public sealed class EmulatedService
{
    /// <summary>Initializes a new instance of the <see cref="EmulatedService"/> class.</summary>
    /// <param name="id">The service id: letters, digits, <c>-</c> or <c>_</c>; 32 hexadecimal characters in practice.</param>
    /// <param name="apiKey">The API key callers send as <c>Authorization: Bearer {key}</c>.</param>
    /// <param name="model">The model the service scores with.</param>
    public EmulatedService(string id, string apiKey, EmulatedModel model)
    {
        ValidateId(id, nameof(id));
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        ArgumentNullException.ThrowIfNull(model);
        Id = id;
        ApiKey = apiKey;
        Model = model;
    }

    /// <summary>Gets the service id.</summary>
    public string Id { get; }

    /// <summary>Gets the API key.</summary>
    public string ApiKey { get; }

    /// <summary>Gets the model.</summary>
    public EmulatedModel Model { get; }

    /// <inheritdoc/>
    public override string ToString() => $"EmulatedService {Id}";

    internal static void ValidateId(string id, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id, parameterName);
        if (IdProblem(id) is { } problem)
        {
            throw new ArgumentException($"The id {problem}", parameterName);
        }
    }

    /// <summary>Why <paramref name="id"/> cannot be a service or workspace id, or <see langword="null"/> when it can.</summary>
    internal static string? IdProblem(string id) =>
        id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null : $"'{id}' may hold only letters, digits, '-' and '_'.";
}
