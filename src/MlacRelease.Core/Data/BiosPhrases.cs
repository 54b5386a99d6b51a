namespace MlacRelease.Core.Data;

/// <summary>
/// Profession-independent material for the built-in corpus: generic opening sentences, follow-up sentences in
/// four themes (education, experience, place, hobbies) and the values their slots are filled with. Chosen
/// independently of gender, so none of it can carry a gender signal; hobbies that name one of the 28
/// professions (photography, yoga, painting, poetry) are left out so they cannot blur the desired label, and
/// no place or school contains a first name of either list (no Austin, San Antonio or Howard University).
/// </summary>
internal static class BiosPhrases
{
    public static readonly string[] GenericLeads =
    [
        "{Name} is {a_title} based in {city}.",
        "{Name} works as {a_title} in {city}.",
        "{Name} has worked as {a_title} for {years} years.",
        "{Name} is {a_title} with {years} years of experience.",
        "After studying {field} at {university}, {Name} became {a_title}.",
        "{Name} is {a_title} and a graduate of {university}.",
    ];

    /// <summary>Follow-up themes; a biography uses each theme at most once.</summary>
    public static readonly string[][] GenericThemes =
    [
        [
            "{They} {has} a degree in {field} from {university}.",
            "{They} studied {field} at {university}.",
            "{First} earned a degree in {field} from {university}.",
            "{They} graduated from {university} with a degree in {field}.",
        ],
        [
            "{They} {has} more than {years} years of experience.",
            "{First} has been working in the field for {years} years.",
            "With {years} years in the profession, {they} {is} known for careful, thoughtful work.",
        ],
        [
            "{They} live{s} in {city}.",
            "{First} is based in {city}.",
            "Originally from {hometown}, {they} now live{s} in {city}.",
            "{They} moved to {city} from {hometown} several years ago.",
        ],
        [
            "In {their} free time, {they} enjoy{s} {hobby}.",
            "Outside of work, {First} enjoys {hobby} and {hobby2}.",
            "When not working, {they} can usually be found {hobby}.",
            "{Their} hobbies include {hobby} and {hobby2}.",
        ],
    ];

    public static readonly string[] Cities =
    [
        "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "El Paso", "San Diego",
        "Dallas", "Fort Worth", "San Francisco", "Seattle", "Denver", "Boston", "Nashville", "Portland", "Atlanta",
        "Miami", "Minneapolis", "Detroit", "Baltimore", "Pittsburgh", "Cleveland", "New Orleans",
        "Salt Lake City", "Kansas City", "Sacramento", "Raleigh", "Tampa", "Honolulu", "Milwaukee", "Albuquerque",
        "Omaha", "Richmond", "Memphis", "Indianapolis", "Columbus", "Toronto", "Vancouver", "Montreal",
        "London", "Dublin", "Sydney", "Melbourne",
    ];

    public static readonly string[] Universities =
    [
        "the University of Michigan", "Stanford University", "the University of Texas", "New York University",
        "the University of Washington", "Ohio State University", "Boston University", "Columbia University",
        "the University of California, Berkeley", "the University of Chicago", "Arizona State University",
        "the University of Florida", "Georgetown University", "Duke University", "the University of Toronto",
        "McGill University", "the University of Edinburgh", "Rutgers University", "Purdue University",
        "the University of Minnesota", "Vanderbilt University", "Tulane University", "the University of Colorado",
        "Emory University",
    ];

    /// <summary>Gerund phrases, so they read after both "enjoys" and "can be found".</summary>
    public static readonly string[] Hobbies =
    [
        "hiking", "playing chess", "cooking", "gardening", "running marathons", "cycling", "rock climbing",
        "playing the piano", "reading mystery novels", "baking bread", "birdwatching", "swimming",
        "playing tennis", "camping", "woodworking", "playing board games", "traveling", "learning languages",
        "volunteering at a local food bank", "fishing", "kayaking", "skiing", "playing the guitar",
        "watching old movies", "collecting vinyl records", "restoring old furniture", "playing basketball",
        "doing crossword puzzles", "sailing", "playing soccer", "surfing",
    ];
}
