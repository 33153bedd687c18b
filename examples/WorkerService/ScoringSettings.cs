using System.ComponentModel.DataAnnotations;

namespace AzureMl.WorkerService;

/// <summary>What the worker scores and how often (section <c>Scoring</c>).</summary>
public sealed class ScoringSettings
{
    public const string Section = "Scoring";

    /// <summary>Time between two rounds. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The text scored each round.</summary>
    [Required]
    public string Text { get; set; } = "This is a good day";

    /// <summary>Rounds before the worker stops the application; 0 runs until stopped.</summary>
    [Range(0, int.MaxValue)]
    public int MaxRuns { get; set; }
}
