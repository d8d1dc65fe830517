/** "Today", "Yesterday", … between the days of a chat; sticks to the top while its day scrolls by. */
export function DaySeparator({ label }: { label: string }) {
  return (
    <div className="day-separator">
      <span>{label}</span>
    </div>
  );
}
